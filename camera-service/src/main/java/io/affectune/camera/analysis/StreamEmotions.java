package io.affectune.camera.analysis;

import io.affectune.camera.emotion.EmotionPrediction;
import io.affectune.camera.session.FaceBox;
import io.affectune.camera.vision.DetectedFace;
import java.util.List;
import java.util.Optional;

/**
 * One stream's last emotion-service answer, and whether a frame waits for a classification of its own.
 *
 * <p>Why: on a stream the same faces come back ten times a second, and the emotion-service call is most of a frame's
 * time. A frame whose faces match the faces of a recent answer (same number, each overlapping its counterpart, the
 * answer no older than {@code maxAge}) shows that answer instead of waiting for a new one. With {@code background}
 * on, such a frame still has its faces classified every {@code classifyEvery} frames, but without waiting for the
 * answer: the call runs beside the stream (at most one at a time per stream) and its answer is shown, and added to
 * the mood smoothing, by the next frame. Labels are then at most a frame or two old (each frame reports how old in
 * {@code timings.emotionAgeMs}), while frames no longer queue behind the model. With {@code background} off, a frame
 * either reuses the last answer or waits for its own classification every {@code classifyEvery} frames (the
 * behaviour before background classification). A frame with new faces, or none recently classified, always waits.
 * Thread-safe; one instance per stream.
 */
final class StreamEmotions {

    /** Faces whose boxes overlap less than this (intersection over union) are not the same faces. */
    static final double SAME_FACE_IOU = 0.5;

    /**
     * What one frame does about its faces' emotions.
     *
     * @param shown    the answer it shows without waiting; null: it waits for a classification of its own
     * @param observe  whether the shown answer is new to the mood smoothing (shown for the first time)
     * @param refresh  whether it starts a background classification of its crops
     * @param ageNanos how old the shown answer is (since its crops were cut)
     */
    record Plan(List<EmotionPrediction> shown, boolean observe, boolean refresh, long ageNanos) {
        static final Plan WAIT = new Plan(null, true, false, 0);

        boolean waits() {
            return shown == null;
        }
    }

    private final int classifyEvery;
    private final boolean background;
    private final long maxAgeNanos;

    /** The last answer, the faces it belongs to and when their crops were cut (System.nanoTime()). */
    private List<EmotionPrediction> last;

    private List<DetectedFace> lastFaces;
    private long cutAt;
    /** Whether the last answer has been handed to the mood smoothing. */
    private boolean observed;
    /** Frames that showed the last answer since a classification was started or waited for. */
    private int framesSince;
    /** Whether a background classification is running. */
    private boolean pending;

    StreamEmotions(int classifyEvery, boolean background, long maxAgeNanos) {
        this.classifyEvery = Math.max(1, classifyEvery);
        this.background = background;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Decides for a frame with these faces at time {@code now} (System.nanoTime()). */
    synchronized Plan plan(List<DetectedFace> faces, long now) {
        if (faces.isEmpty() || last == null || now - cutAt > maxAgeNanos || !sameFaces(lastFaces, faces)) {
            return Plan.WAIT;
        }
        framesSince++;
        boolean due = framesSince >= classifyEvery;
        if (!background) {
            return due ? Plan.WAIT : new Plan(last, false, false, now - cutAt);
        }
        boolean refresh = due && !pending;
        if (refresh) {
            pending = true;
            framesSince = 0;
        }
        boolean observe = !observed;
        observed = true;
        return new Plan(last, observe, refresh, now - cutAt);
    }

    /** The answer a frame waited for (it is observed by that frame); empty when emotion-service did not answer. */
    synchronized void classified(List<DetectedFace> faces, Optional<List<EmotionPrediction>> answer, long cutNanos) {
        framesSince = 0;
        remember(faces, answer, cutNanos, true);
    }

    /**
     * The answer of a background classification, shown by the next frame. A failure forgets the last answer, so that
     * the next frame waits for its own and is answered degraded if emotion-service is still away.
     */
    synchronized void refreshed(List<DetectedFace> faces, Optional<List<EmotionPrediction>> answer, long cutNanos) {
        pending = false;
        if (last != null && cutNanos - cutAt < 0) {
            return; // a frame has waited for a newer answer meanwhile
        }
        remember(faces, answer, cutNanos, false);
    }

    private void remember(
            List<DetectedFace> faces, Optional<List<EmotionPrediction>> answer, long cutNanos, boolean seen) {
        if (answer.isEmpty() || answer.get().size() != faces.size()) {
            last = null;
            lastFaces = null;
            return;
        }
        last = answer.get();
        lastFaces = faces;
        cutAt = cutNanos;
        observed = seen;
    }

    /** Same number of faces, in the same order, each overlapping its counterpart by {@link #SAME_FACE_IOU}. */
    static boolean sameFaces(List<DetectedFace> a, List<DetectedFace> b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (iou(a.get(i), b.get(i)) < SAME_FACE_IOU) {
                return false;
            }
        }
        return true;
    }

    /** The boxes' intersection over union (the session's tracking measures overlap the same way). */
    static double iou(DetectedFace a, DetectedFace b) {
        return box(a).iou(box(b));
    }

    /** A detected face as the session knows it: its box. */
    static FaceBox box(DetectedFace face) {
        return new FaceBox(face.x(), face.y(), face.width(), face.height());
    }
}
