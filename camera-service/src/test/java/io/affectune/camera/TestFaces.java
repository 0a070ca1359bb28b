package io.affectune.camera;

import io.affectune.camera.vision.OpenCv;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/** The validation faces in src/test/resources/faces and helpers to turn frames into JPEG bytes. */
public final class TestFaces {

    public record Face(String name, String label, byte[] pixels) {}

    private TestFaces() {}

    public static List<Face> all() {
        OpenCv.ensureLoaded();
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath:faces/*.png");
            List<Face> faces = new ArrayList<>();
            for (Resource r : resources) {
                try (InputStream in = r.getInputStream()) {
                    MatOfByte buffer = new MatOfByte(in.readAllBytes());
                    Mat gray = Imgcodecs.imdecode(buffer, Imgcodecs.IMREAD_GRAYSCALE);
                    byte[] pixels = new byte[48 * 48];
                    gray.get(0, 0, pixels);
                    gray.release();
                    buffer.release();
                    String name = r.getFilename();
                    faces.add(new Face(name, name.substring(name.lastIndexOf('-') + 1, name.length() - 4), pixels));
                }
            }
            faces.sort(java.util.Comparator.comparing(Face::name));
            return faces;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Face> withLabel(String label) {
        return all().stream().filter(f -> f.label().equals(label)).toList();
    }

    public static byte[] jpeg(Mat frame, int quality) {
        MatOfByte out = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, quality);
        try {
            Imgcodecs.imencode(".jpg", frame, out, params);
            return out.toArray();
        } finally {
            out.release();
            params.release();
        }
    }

    public static byte[] png(Mat frame) {
        MatOfByte out = new MatOfByte();
        try {
            Imgcodecs.imencode(".png", frame, out);
            return out.toArray();
        } finally {
            out.release();
        }
    }
}
