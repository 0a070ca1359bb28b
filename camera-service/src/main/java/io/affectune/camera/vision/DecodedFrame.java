package io.affectune.camera.vision;

import org.opencv.core.Mat;

/**
 * A decoded BGR frame, owned by whoever holds this record (release it). When the original was larger
 * than the frame limit it was reduced, and {@code originalWidth/Height} say how large it was.
 */
public record DecodedFrame(Mat bgr, int originalWidth, int originalHeight) implements AutoCloseable {

    public boolean downscaled() {
        return bgr.cols() != originalWidth || bgr.rows() != originalHeight;
    }

    @Override
    public void close() {
        bgr.release();
    }
}
