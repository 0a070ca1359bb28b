package io.affectune.emotion.prediction;

import io.affectune.emotion.model.MicroBatcher;

/**
 * Which lane a request's images run in, from its RFC 9218 {@code Priority} header: urgency {@code u=0} (most urgent)
 * to {@code u=7}, 3 when absent. A request less urgent than that default ({@code u=4} to {@code 7}) says nobody waits
 * for its answer: it runs in the background lane ({@link MicroBatcher.Lane}), behind interactive work. camera-service
 * sends its streams' label refreshes that way. A header that cannot be read counts as absent, as the RFC asks.
 */
public final class RequestUrgency {

    /** The RFC 9218 header. */
    public static final String HEADER = "Priority";

    /** What the API documentation says of the header. */
    static final String DESCRIPTION = "RFC 9218 priority, e.g. 'u=5': an urgency of 4 to 7 (less urgent than the "
            + "default 3) runs the images in the background lane, behind requests whose caller waits (camera-service "
            + "sends its streams' label refreshes so)";

    /** RFC 9218's default urgency. */
    static final int DEFAULT_URGENCY = 3;

    private RequestUrgency() {}

    /** The lane for a {@code Priority} header value (null: absent). */
    public static MicroBatcher.Lane lane(String header) {
        return urgency(header) > DEFAULT_URGENCY ? MicroBatcher.Lane.BACKGROUND : MicroBatcher.Lane.INTERACTIVE;
    }

    /**
     * The urgency of a {@code Priority} header value, a structured-field dictionary such as {@code u=5, i}: its
     * {@code u} member when that is an integer from 0 to 7 (the last one wins, as in any dictionary), else 3.
     */
    static int urgency(String header) {
        if (header == null) {
            return DEFAULT_URGENCY;
        }
        int urgency = DEFAULT_URGENCY;
        for (String member : header.split(",")) {
            String item = member.strip();
            int params = item.indexOf(';');
            if (params >= 0) {
                item = item.substring(0, params);
            }
            if (item.length() == 3 && item.startsWith("u=") && item.charAt(2) >= '0' && item.charAt(2) <= '7') {
                urgency = item.charAt(2) - '0';
            } else if (item.equals("u") || item.startsWith("u=")) {
                urgency = DEFAULT_URGENCY; // u present but not a valid urgency: ignored
            }
        }
        return urgency;
    }
}
