package io.affectune.camera.vision;

import java.util.List;
import org.opencv.core.Mat;

/** Finds faces in a BGR frame; implementations are thread-safe. */
public interface FaceDetector {

    /** Faces, largest first, at most the configured maximum, boxes in the frame's own pixels. */
    List<DetectedFace> detect(Mat bgr);

    /**
     * As {@link #detect(Mat)}; {@code retry} false skips a detector's second, more expensive pass for frames where the
     * first finds nothing (a stream whose scene has had no face for a while: {@link FaceFollower#retryDue}).
     */
    default List<DetectedFace> detect(Mat bgr, boolean retry) {
        return detect(bgr);
    }

    /**
     * As {@link #detect(Mat, boolean)}, boxes in the frame's own pixels; a detector that runs on a downscaled copy
     * takes the frame's coarsest resolution that is large enough ({@link Frame#view}) instead of the full one.
     */
    default List<DetectedFace> detect(Frame frame, boolean retry) {
        return detect(frame.full(), retry);
    }

    String name();
}
