package io.affectune.bench.camera;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.vision.YuNetFaceDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.opencv.core.Mat;

/**
 * Detection time per 640x480 frame for several detection sizes (FACE_DETECT_MAX_SIDE, FACE_DETECT_RETRY_MAX_SIDE);
 * the sizes are the arguments (default 640 480 320).
 */
public final class DetectSpeed {

    public static void main(String[] args) throws Exception {
        byte[] model = Files.readAllBytes(Path.of("models/face-detection/face_detection_yunet_2023mar.onnx"));
        Mat frame = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 200, 220, 140, 1);
        int[] sides = args.length == 0
                ? new int[] {640, 480, 320}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int side : sides) {
            YuNetFaceDetector detector = new YuNetFaceDetector(model, 0.7f, 32, 8, side);
            for (int i = 0; i < 30; i++) {
                detector.detect(frame);
            }
            int n = 200;
            double[] t = new double[n];
            int found = 0;
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                found += detector.detect(frame).size();
                t[i] = (System.nanoTime() - s) / 1e6;
            }
            java.util.Arrays.sort(t);
            System.out.printf(
                    Locale.ROOT,
                    "detect at max side %d: p50 %.2f ms, p95 %.2f ms, faces %d/%d%n",
                    side,
                    t[n / 2],
                    t[n * 95 / 100],
                    found,
                    n);
        }
        frame.release();
    }
}
