package io.affectune.bench.camera;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.vision.FaceDetector;
import io.affectune.camera.vision.HaarFaceDetector;
import io.affectune.camera.vision.OpenCv;
import io.affectune.camera.vision.YuNetFaceDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.opencv.core.Mat;

/**
 * Haar cascade (the seed's detector) vs YuNet (camera-service's default) on the same 640x480 frames, each
 * holding one FER2013 validation face of 96-240 px at a random place: time per frame and faces found
 * (a frame's face found = at least one detection; more than one = extra detections). Then camera-service's own
 * configuration, YuNet at 320 px with a retry at a larger size when nothing is found (FACE_DETECT_RETRY_MAX_SIDE),
 * for retry sizes 640 and 544: on the same frames, and on frames without a face, where every detection pays for the
 * retry. bench/serving-comparison.sh.
 */
public final class DetectorComparison {

    public static void main(String[] args) throws Exception {
        OpenCv.ensureLoaded();
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        List<TestFaces.Face> faces = TestFaces.all();
        Random random = new Random(7);
        List<Mat> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int side = 96 + random.nextInt(145);
            frames.add(TestFrames.compose(
                    faces.get(i % faces.size()).pixels(),
                    640,
                    480,
                    side,
                    random.nextInt(640 - side),
                    random.nextInt(480 - side),
                    i));
        }
        byte[] yunet = Files.readAllBytes(Path.of("models/face-detection/face_detection_yunet_2023mar.onnx"));
        System.out.printf(Locale.ROOT, "%d frames 640x480, one face each (96-240 px)%n", count);
        System.out.printf(
                Locale.ROOT, "%-34s %8s %8s %12s %8s%n", "detector", "p50 ms", "p95 ms", "faces found", "extra");
        for (int side : new int[] {640, 320}) {
            print("Haar cascade, detect at " + side + " px", new HaarFaceDetector(32, 8, side), frames);
            print("YuNet, detect at " + side + " px", new YuNetFaceDetector(yunet, 0.7f, 32, 8, side), frames);
        }
        List<Mat> empty = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            empty.add(TestFrames.background(640, 480, 1000 + i));
        }
        System.out.printf(
                Locale.ROOT,
                "%ncamera-service's detector: YuNet at 320 px, again at the retry size when nothing is found%n");
        System.out.printf(
                Locale.ROOT,
                "%-34s %8s %8s %12s %8s %14s%n",
                "retry size",
                "p50 ms",
                "p95 ms",
                "faces found",
                "extra",
                "no-face p50 ms");
        for (int retry : new int[] {640, 544}) {
            FaceDetector detector = new YuNetFaceDetector(yunet, 0.7f, 32, 8, 320, retry);
            String row = measure("retry at " + retry + " px", detector, frames);
            double[] times = new double[empty.size()];
            int falsePositives = 0;
            for (int i = 0; i < empty.size(); i++) {
                long started = System.nanoTime();
                falsePositives += detector.detect(empty.get(i)).size();
                times[i] = (System.nanoTime() - started) / 1e6;
            }
            Arrays.sort(times);
            System.out.printf(
                    Locale.ROOT,
                    "%s %14s%n",
                    row,
                    String.format(Locale.ROOT, "%.2f", times[times.length / 2])
                            + (falsePositives > 0 ? " (" + falsePositives + " found)" : ""));
        }
        frames.forEach(Mat::release);
        empty.forEach(Mat::release);
    }

    private static void print(String name, FaceDetector detector, List<Mat> frames) {
        System.out.println(measure(name, detector, frames));
    }

    /** Warms the detector up, then times it on every frame: the table row. */
    private static String measure(String name, FaceDetector detector, List<Mat> frames) {
        for (int i = 0; i < 20; i++) {
            detector.detect(frames.get(i % frames.size()));
        }
        double[] times = new double[frames.size()];
        int found = 0;
        int extra = 0;
        for (int i = 0; i < frames.size(); i++) {
            long started = System.nanoTime();
            int n = detector.detect(frames.get(i)).size();
            times[i] = (System.nanoTime() - started) / 1e6;
            found += n > 0 ? 1 : 0;
            extra += Math.max(0, n - 1);
        }
        Arrays.sort(times);
        return String.format(
                Locale.ROOT,
                "%-34s %8.2f %8.2f %8d/%-3d %8d",
                name,
                times[times.length / 2],
                times[times.length * 95 / 100],
                found,
                frames.size(),
                extra);
    }
}
