package io.affectune.playlist.listener;

import io.affectune.support.problem.ApiProblem;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Parsing a listener id: a random UUID the client made (the dashboard keeps one in localStorage), sent in
 * the X-Listener-Id header or in a /api/v1/listeners/{id} path. Anything else is a 400 problem, so a typo
 * never silently creates a second listener.
 */
public final class ListenerIds {

    public static final String HEADER = "X-Listener-Id";

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private ListenerIds() {}

    /** The header's listener, or empty when the header is absent or blank (requests behave as before). */
    public static Optional<UUID> fromHeader(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(parse(header.trim(), HEADER + " header"));
    }

    /** A listener id from a path. */
    public static UUID require(String text) {
        return parse(text == null ? "" : text.trim(), "listener id");
    }

    private static UUID parse(String text, String what) {
        if (!UUID_TEXT.matcher(text).matches()) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw ApiProblem.badRequest("The " + what + " must be a UUID such as 3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b "
                    + "(the dashboard makes a random one); '" + shown + "' is not one.");
        }
        return UUID.fromString(text.toLowerCase(Locale.ROOT));
    }
}
