package io.affectune.bench.camera;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.vision.CropSettings;
import io.affectune.camera.vision.DetectedFace;
import io.affectune.camera.vision.FaceCropper;
import io.affectune.camera.vision.YuNetFaceDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Time of each vision stage of /analyze on the benchmark's 640x480 JPEG with one face: decode (full, and at 1/2
 * scale), detection, crop + PNG, under OpenCV's default thread count and one thread; {@code --burn N} runs N busy
 * threads beside it, as other work on the cores would.
 */
public final class StageSpeed {

    public static void main(String[] args) throws Exception {
        int burn = 0;
        int n = 300;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--burn")) {
                burn = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--count")) {
                n = Integer.parseInt(args[++i]);
            }
        }
        byte[] model = Files.readAllBytes(Path.of("models/face-detection/face_detection_yunet_2023mar.onnx"));
        Mat frame = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 200, 220, 140, 1);
        byte[] jpeg = TestFaces.jpeg(frame, 90);
        AtomicBoolean stop = new AtomicBoolean();
        for (int b = 0; b < burn; b++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (!stop.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            t.setDaemon(true);
            t.start();
        }
        CropSettings crop = new CropSettings(1.095, 0.002, -0.023, true, 48);
        int defaultThreads = Core.getNumThreads();
        for (int threads : new int[] {defaultThreads, 1, defaultThreads, 1}) {
            Core.setNumThreads(threads);
            YuNetFaceDetector detector = new YuNetFaceDetector(model, 0.7f, 32, 8, 320, 640);
            System.out.printf(Locale.ROOT, "OpenCV threads %d (burn %d)%n", threads, burn);
            time("decode full", n, () -> Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR));
            time("decode 1/2", n, () -> Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_REDUCED_COLOR_2));
            Mat full = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
            Mat half = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_REDUCED_COLOR_2);
            List<DetectedFace> faces = detector.detect(full);
            List<DetectedFace> halfFaces = detector.detect(half);
            time("detect full (resize to 320)", n, () -> detector.detect(full));
            time("detect 1/2 (320, no resize)", n, () -> detector.detect(half));
            time("grey + crop + png, full", n, () -> cropPng(full, faces, crop));
            time("grey + crop + png, 1/2", n, () -> cropPng(half, halfFaces, crop));
            full.release();
            half.release();
        }
        stop.set(true);
    }

    private static Object cropPng(Mat bgr, List<DetectedFace> faces, CropSettings settings) {
        Mat grey = new Mat();
        Imgproc.cvtColor(bgr, grey, Imgproc.COLOR_BGR2GRAY);
        for (DetectedFace face : faces) {
            Mat c = FaceCropper.crop(grey, face, settings);
            FaceCropper.png(c);
            c.release();
        }
        grey.release();
        return faces;
    }

    private static void time(String what, int n, Supplier<Object> stage) {
        for (int i = 0; i < 30; i++) {
            release(stage.get());
        }
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            Object r = stage.get();
            t[i] = (System.nanoTime() - s) / 1e6;
            release(r);
        }
        Arrays.sort(t);
        System.out.printf(Locale.ROOT, "  %-30s p50 %6.2f  p95 %6.2f ms%n", what, t[n / 2], t[n * 95 / 100]);
    }

    private static void release(Object o) {
        if (o instanceof Mat m) {
            m.release();
        }
    }
}
