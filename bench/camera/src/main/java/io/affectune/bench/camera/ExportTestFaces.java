package io.affectune.bench.camera;

import io.affectune.camera.TestFrames;
import io.affectune.camera.vision.YuNetFaceDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Copies a few validation faces into the test resources as PNG: the first {@code perClass} faces of
 * each class (validation order) that YuNet finds at 120, 192 and 320 px in a 640x480 frame. The filter is stated
 * openly: the tests check that detection and cropping keep working on faces known to be detectable.
 */
public final class ExportTestFaces {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(CropCalibration.arg(args, "--data", "../shared/datasets/fer2013"));
        int perClass = Integer.parseInt(CropCalibration.arg(args, "--per-class", "6"));
        Path out = Path.of(CropCalibration.arg(args, "--out", "camera-service/src/test/resources/faces"));
        Files.createDirectories(out);
        Fer2013 fer = Fer2013.read(data, "val");
        YuNetFaceDetector detector = new YuNetFaceDetector(
                Files.readAllBytes(Path.of("models/face-detection/face_detection_yunet_2023mar.onnx")),
                0.7f,
                20,
                4,
                640);
        int[] taken = new int[7];
        for (int i = 0; i < fer.faces().length; i++) {
            int label = fer.labels()[i];
            if (taken[label] >= perClass) {
                continue;
            }
            boolean detected = true;
            for (int side : new int[] {120, 192, 320}) {
                Mat frame = TestFrames.compose(fer.faces()[i], 640, 480, side, 100, 80, i);
                try {
                    detected &= CropCalibration.best(detector.detect(frame), 100, 80, side) != null;
                } finally {
                    frame.release();
                }
            }
            if (!detected) {
                continue;
            }
            Mat face = new Mat(48, 48, CvType.CV_8UC1);
            face.put(0, 0, fer.faces()[i]);
            Imgcodecs.imwrite(
                    out.resolve(String.format("val-%04d-%s.png", i, Fer2013.LABELS[label]))
                            .toString(),
                    face);
            face.release();
            taken[label]++;
        }
        System.out.println("exported " + java.util.Arrays.stream(taken).sum() + " faces to " + out);
    }
}
