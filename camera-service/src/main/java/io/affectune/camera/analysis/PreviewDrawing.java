package io.affectune.camera.analysis;

import io.affectune.camera.frame.FrameResult;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Draws a frame result (boxes, track ids, emotions, mood) onto its frame for the MJPEG preview and encodes it as
 * JPEG. Kept apart from the pipeline: it runs only while someone watches a session's preview.
 */
final class PreviewDrawing {

    private PreviewDrawing() {}

    /** JPEG bytes of {@code frame} with the result drawn on it; draws into {@code frame}, which the caller releases. */
    static byte[] annotate(Mat frame, FrameResult result) {
        Scalar color = new Scalar(80, 220, 80);
        for (FrameResult.Face face : result.faces()) {
            FrameResult.Box b = face.box();
            Imgproc.rectangle(frame, new Rect(b.x(), b.y(), b.width(), b.height()), color, 2);
            String label = (face.trackId() == null ? "" : "#" + face.trackId() + " ")
                    + (face.emotion() == null
                            ? "?"
                            : face.emotion() + String.format(" %.0f%%", 100 * face.confidence()));
            Imgproc.putText(
                    frame,
                    label,
                    new Point(b.x(), Math.max(12, b.y() - 6)),
                    Imgproc.FONT_HERSHEY_SIMPLEX,
                    0.5,
                    color,
                    1);
        }
        if (result.mood() != null) {
            Imgproc.putText(
                    frame,
                    "mood: " + result.mood().emotion(),
                    new Point(8, 20),
                    Imgproc.FONT_HERSHEY_SIMPLEX,
                    0.6,
                    new Scalar(255, 255, 255),
                    2);
        }
        MatOfByte jpeg = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 70);
        try {
            Imgcodecs.imencode(".jpg", frame, jpeg, params);
            return jpeg.toArray();
        } finally {
            jpeg.release();
            params.release();
        }
    }
}
