package io.affectune.camera.vision;

import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Cuts the square, eye-levelled face crop the classifier expects, framed as the model manifest's crop block says
 * ({@link CropSettings}). The crop is first sampled at its natural resolution (bilinear), then reduced to the
 * model's source size with area interpolation, which is how the training faces were made from larger images.
 * It only frames the face: the tensor (the manifest's luma rule, resizing to the network input, normalisation)
 * is made by emotion-service's {@code FacePreprocessor}, the one place that reads those manifest fields; for a
 * crop of the source size its grey and area-resize steps leave the pixels as they are.
 */
public final class FaceCropper {

    private FaceCropper() {}

    /** Grayscale (BT.601 luma) crop of a BGR or already-grayscale frame, of {@code settings.outputSize()} pixels; the caller releases it. */
    public static Mat crop(Mat bgr, DetectedFace face, CropSettings settings) {
        double boxSide = (face.width() + face.height()) / 2;
        double side = side(face, settings);
        double angle = 0;
        if (settings.alignEyes() && face.hasEyes()) {
            DetectedFace.Point rightEye = face.landmarks().get(0);
            DetectedFace.Point leftEye = face.landmarks().get(1);
            angle = Math.atan2(leftEye.y() - rightEye.y(), leftEye.x() - rightEye.x());
        }
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double shiftX = settings.centerShiftX() * boxSide;
        double shiftY = settings.centerShiftY() * boxSide;
        double cx = face.centerX() + cos * shiftX - sin * shiftY;
        double cy = face.centerY() + sin * shiftX + cos * shiftY;

        int work = (int) Math.max(settings.outputSize(), Math.min(Math.round(side), 4L * settings.outputSize()));
        double k = side / work;
        // maps output pixel centres (u, v) to source coordinates: src = c + k * R * ((u, v) + 0.5 - work / 2)
        Mat inverse = new Mat(2, 3, CvType.CV_64F);
        Mat gray = new Mat();
        Mat sampled = new Mat();
        Mat out = new Mat();
        try {
            double half = work / 2.0;
            inverse.put(
                    0,
                    0,
                    k * cos,
                    -k * sin,
                    cx + k * (cos * (0.5 - half) - sin * (0.5 - half)) - 0.5,
                    k * sin,
                    k * cos,
                    cy + k * (sin * (0.5 - half) + cos * (0.5 - half)) - 0.5);
            Mat source = bgr;
            if (bgr.channels() != 1) {
                Imgproc.cvtColor(bgr, gray, Imgproc.COLOR_BGR2GRAY);
                source = gray;
            }
            Imgproc.warpAffine(
                    source,
                    sampled,
                    inverse,
                    new Size(work, work),
                    Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                    Core.BORDER_REPLICATE);
            if (work == settings.outputSize()) {
                sampled.copyTo(out);
            } else {
                Imgproc.resize(
                        sampled, out, new Size(settings.outputSize(), settings.outputSize()), 0, 0, Imgproc.INTER_AREA);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        } finally {
            inverse.release();
            gray.release();
            sampled.release();
        }
    }

    /** The side of the square a face's crop is cut from, in the face's pixels (then reduced to the output size). */
    public static double side(DetectedFace face, CropSettings settings) {
        return Math.max(1, settings.boxScale() * (face.width() + face.height()) / 2);
    }

    /**
     * How much coarser than the frame a resolution may be for the crops of these faces to lose nothing: the smallest
     * crop square's side over the output size (a square cut at at least the output size is only ever reduced).
     */
    public static double maxReduction(List<DetectedFace> faces, CropSettings settings) {
        double smallest = Double.MAX_VALUE;
        for (DetectedFace face : faces) {
            smallest = Math.min(smallest, side(face, settings));
        }
        return smallest / settings.outputSize();
    }

    /** Lossless PNG bytes of a crop. */
    public static byte[] png(Mat image) {
        MatOfByte buffer = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 1);
        try {
            if (!Imgcodecs.imencode(".png", image, buffer, params)) {
                throw new IllegalStateException("PNG encoding failed");
            }
            return buffer.toArray();
        } finally {
            buffer.release();
            params.release();
        }
    }
}
