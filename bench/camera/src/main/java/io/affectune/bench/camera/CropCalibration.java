package io.affectune.bench.camera;

import io.affectune.camera.TestFrames;
import io.affectune.camera.vision.CropSettings;
import io.affectune.camera.vision.DetectedFace;
import io.affectune.camera.vision.FaceCropper;
import io.affectune.camera.vision.YuNetFaceDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.opencv.core.Mat;

/**
 * Measures how FER2013 frames a face relative to a YuNet box. Validation faces are upscaled, pasted
 * into larger frames at several sizes, and detected; for each detection we compute, in units of the
 * box side s = (w + h) / 2, the side of the original 48x48 image (boxScale = 48 / s) and the offset of
 * the image centre from the box centre (centerShiftX/Y). Medians over all faces are the calibration.
 * Then it re-crops every face with those settings and reports the mean absolute pixel difference to
 * the original 48x48 face (lower = framing reproduced).
 *
 * Run: camera-service/scripts/calibrate-crop.sh [--data ../shared/datasets/fer2013] [--count 1200]
 */
public final class CropCalibration {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(arg(args, "--data", "../shared/datasets/fer2013"));
        int count = Integer.parseInt(arg(args, "--count", "1200"));
        Path model = Path.of(arg(args, "--yunet", "models/face-detection/face_detection_yunet_2023mar.onnx"));
        Fer2013 fer = Fer2013.read(data, "val");
        // the service defaults (FACE_DETECT_MAX_SIDE=320, retry at 640), so the boxes measured are the boxes it will
        // crop
        YuNetFaceDetector detector = new YuNetFaceDetector(
                Files.readAllBytes(model),
                0.5f,
                20,
                4,
                Integer.parseInt(arg(args, "--detect-max-side", "320")),
                Integer.parseInt(arg(args, "--retry-max-side", "640")));
        int[] sides = {144, 192, 288};
        List<double[]> measures = new ArrayList<>();
        int attempts = 0;
        int found = 0;
        int step = Math.max(1, fer.faces().length / count);
        for (int i = 0; i < fer.faces().length && attempts < count * sides.length; i += step) {
            for (int side : sides) {
                attempts++;
                int x = 100 + (i * 37) % (640 - side - 200);
                int y = 60 + (i * 53) % (480 - side - 120);
                Mat frame = TestFrames.compose(fer.faces()[i], 640, 480, side, x, y, i);
                try {
                    DetectedFace face = best(detector.detect(frame), x, y, side);
                    if (face == null) {
                        continue;
                    }
                    found++;
                    double k = side / 48.0;
                    double s = (face.width() + face.height()) / 2 / k;
                    double bcx = (face.centerX() - x) / k;
                    double bcy = (face.centerY() - y) / k;
                    measures.add(new double[] {48 / s, (24 - bcx) / s, (24 - bcy) / s});
                } finally {
                    frame.release();
                }
            }
        }
        double boxScale = median(measures, 0);
        double shiftX = median(measures, 1);
        double shiftY = median(measures, 2);
        System.out.printf(
                Locale.ROOT,
                "faces tried: %d frames (%d faces x sizes %s), detected: %d (%.1f%%)%n",
                attempts,
                attempts / sides.length,
                Arrays.toString(sides),
                found,
                100.0 * found / attempts);
        System.out.printf(
                Locale.ROOT,
                "boxScale     median %.4f  IQR [%.4f, %.4f]%n",
                boxScale,
                quantile(measures, 0, .25),
                quantile(measures, 0, .75));
        System.out.printf(
                Locale.ROOT,
                "centerShiftX median %.4f  IQR [%.4f, %.4f]%n",
                shiftX,
                quantile(measures, 1, .25),
                quantile(measures, 1, .75));
        System.out.printf(
                Locale.ROOT,
                "centerShiftY median %.4f  IQR [%.4f, %.4f]%n",
                shiftY,
                quantile(measures, 2, .25),
                quantile(measures, 2, .75));

        for (boolean align : new boolean[] {false, true}) {
            CropSettings settings = new CropSettings(boxScale, shiftX, shiftY, align, 48);
            double sum = 0;
            double iouSum = 0;
            double shifted = 0;
            int n = 0;
            for (int i = 0; i < fer.faces().length && n < 400; i += step) {
                Mat frame = TestFrames.compose(fer.faces()[i], 640, 480, 192, 200, 120, i);
                try {
                    DetectedFace face = best(detector.detect(frame), 200, 120, 192);
                    if (face == null) {
                        continue;
                    }
                    sum += meanAbsDiff(frame, face, settings, fer.faces()[i]);
                    iouSum += framingIou(face, settings, 200, 120, 192 / 48.0);
                    shifted += meanAbsDiff(
                            frame,
                            new DetectedFace(200 + 8, 120 + 8, 192, 192, List.of(), 1),
                            new CropSettings(1, 0, 0, false, 48),
                            fer.faces()[i]);
                    n++;
                } finally {
                    frame.release();
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "re-crop (alignEyes=%s) vs original 48x48: mean |diff| %.2f grey levels, "
                            + "mean IoU of the crop square with the original face square %.3f, over %d faces%n",
                    align,
                    sum / n,
                    iouSum / n,
                    n);
            if (!align) {
                System.out.printf(
                        Locale.ROOT,
                        "  reference: the exact square moved by 2 px (of 48) gives mean |diff| %.2f%n",
                        shifted / n);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "\"crop\": { \"calibrated\": true, \"boxScale\": %.3f, \"centerShiftX\": %.3f, "
                        + "\"centerShiftY\": %.3f, \"alignEyes\": true, \"method\": \"...\" }%n",
                boxScale,
                shiftX,
                shiftY);
    }

    static double meanAbsDiff(Mat frame, DetectedFace face, CropSettings settings, byte[] original) {
        Mat crop = FaceCropper.crop(frame, face, settings);
        try {
            byte[] pixels = new byte[48 * 48];
            crop.get(0, 0, pixels);
            double sum = 0;
            for (int p = 0; p < pixels.length; p++) {
                sum += Math.abs((pixels[p] & 0xFF) - (original[p] & 0xFF));
            }
            return sum / pixels.length;
        } finally {
            crop.release();
        }
    }

    /** IoU of the (unrotated) crop square with the pasted face's true square, both in frame pixels. */
    static double framingIou(DetectedFace face, CropSettings s, int x, int y, double k) {
        double boxSide = (face.width() + face.height()) / 2;
        double side = s.boxScale() * boxSide;
        double cx = face.centerX() + s.centerShiftX() * boxSide;
        double cy = face.centerY() + s.centerShiftY() * boxSide;
        double trueSide = 48 * k;
        double ix = Math.max(0, Math.min(cx + side / 2, x + trueSide) - Math.max(cx - side / 2, x));
        double iy = Math.max(0, Math.min(cy + side / 2, y + trueSide) - Math.max(cy - side / 2, y));
        double inter = ix * iy;
        return inter / (side * side + trueSide * trueSide - inter);
    }

    /** The detection whose centre lies inside the pasted face (there is at most one real face). */
    static DetectedFace best(List<DetectedFace> faces, int x, int y, int side) {
        return faces.stream()
                .filter(f -> f.centerX() > x && f.centerX() < x + side && f.centerY() > y && f.centerY() < y + side)
                .max((a, b) -> Double.compare(a.score(), b.score()))
                .orElse(null);
    }

    private static double median(List<double[]> values, int column) {
        return quantile(values, column, 0.5);
    }

    private static double quantile(List<double[]> values, int column, double q) {
        double[] v = values.stream().mapToDouble(m -> m[column]).sorted().toArray();
        return v[(int) Math.min(v.length - 1, Math.round(q * (v.length - 1)))];
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
