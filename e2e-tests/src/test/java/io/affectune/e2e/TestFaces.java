package io.affectune.e2e;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The 42 FER2013 validation faces camera-service's tests use (camera-service/src/test/resources/faces, one set in
 * the repository), pasted into camera-like JPEG frames with plain Java imaging: these tests are clients of the
 * services and need no OpenCV of their own.
 */
final class TestFaces {

    record Face(String name, String label, BufferedImage pixels) {}

    private TestFaces() {}

    static List<Face> all() {
        Path dir = RealServices.repository().resolve("camera-service/src/test/resources/faces");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".png"))
                    .sorted()
                    .map(p -> {
                        String name = p.getFileName().toString();
                        try {
                            return new Face(
                                    name,
                                    name.substring(name.lastIndexOf('-') + 1, name.length() - 4),
                                    ImageIO.read(p.toFile()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Face> withLabel(String label) {
        return all().stream().filter(f -> f.label().equals(label)).toList();
    }

    /**
     * A width x height JPEG frame: a smooth horizontal gradient with mild noise (no face-like structure) and the
     * face scaled (bicubic) to side x side pixels at (x, y).
     */
    static byte[] frame(Face face, int width, int height, int side, int x, int y, long seed) {
        BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random noise = new Random(seed);
        for (int px = 0; px < width; px++) {
            double v = 90 + 80.0 * px / width;
            for (int py = 0; py < height; py++) {
                double n = noise.nextGaussian() * 6;
                frame.setRGB(px, py, rgb(v * 0.8 + n, v * 0.9 + n, v + n));
            }
        }
        var g = frame.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(face.pixels(), x, y, side, side, null);
        } finally {
            g.dispose();
        }
        return jpeg(frame, 0.92f);
    }

    private static int rgb(double r, double g, double b) {
        return clamp(r) << 16 | clamp(g) << 8 | clamp(b);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static byte[] jpeg(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
