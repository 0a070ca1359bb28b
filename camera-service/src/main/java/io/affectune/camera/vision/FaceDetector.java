package io.affectune.camera.vision;

import java.util.List;
import org.opencv.core.Mat;

/** Finds faces in a BGR frame; implementations are thread-safe. */
public interface FaceDetector {

    /** Faces, largest first, at most the configured maximum, boxes in the frame's own pixels. */
    List<DetectedFace> detect(Mat bgr);

    String name();
}
