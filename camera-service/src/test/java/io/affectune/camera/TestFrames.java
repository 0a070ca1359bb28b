package io.affectune.camera;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Builds camera-like test frames from 48x48 FER2013 faces: the face is upscaled (bicubic) and pasted
 * onto a larger, textured background, so the detector sees a face of a known size at a known place.
 */
public final class TestFrames {

    private TestFrames() {}

    /** A BGR frame of width x height with the 48x48 gray face scaled to side `faceSide` at (x, y). */
    public static Mat compose(byte[] face48, int width, int height, int faceSide, int x, int y, long seed) {
        Mat frame = background(width, height, seed);
        Mat gray = new Mat(48, 48, CvType.CV_8UC1);
        Mat big = new Mat();
        Mat bgr = new Mat();
        try {
            gray.put(0, 0, face48);
            Imgproc.resize(gray, big, new Size(faceSide, faceSide), 0, 0, Imgproc.INTER_CUBIC);
            Imgproc.cvtColor(big, bgr, Imgproc.COLOR_GRAY2BGR);
            Mat roi = frame.submat(new Rect(x, y, faceSide, faceSide));
            bgr.copyTo(roi);
            roi.release();
            return frame;
        } finally {
            gray.release();
            big.release();
            bgr.release();
        }
    }

    /** A smooth horizontal gradient with mild noise: not a flat colour, yet free of face-like structure. */
    public static Mat background(int width, int height, long seed) {
        Mat frame = new Mat(height, width, CvType.CV_8UC3);
        Mat noise = new Mat(height, width, CvType.CV_8UC3);
        try {
            for (int x = 0; x < width; x++) {
                double v = 90 + 80.0 * x / width;
                Imgproc.line(
                        frame,
                        new org.opencv.core.Point(x, 0),
                        new org.opencv.core.Point(x, height - 1),
                        new Scalar(v, v * 0.9, v * 0.8));
            }
            Core.setRNGSeed((int) seed);
            Core.randn(noise, 0, 6);
            Core.add(frame, noise, frame);
            return frame;
        } finally {
            noise.release();
        }
    }
}
