package io.affectune.emotion;

import static org.assertj.core.api.Assertions.fail;

import io.affectune.testsupport.ServiceProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** The test faces (first 5 validation images of each class), their Python reference, and broken images. */
public final class TestFaces {

    /** Where the service under test looks: MODELS_DIR if set, else the repository's models/ directory. */
    static final Path MODELS_DIR =
            System.getenv("MODELS_DIR") == null || System.getenv("MODELS_DIR").isBlank()
                    ? ServiceProcess.repositoryRoot().resolve("models")
                    : Path.of(System.getenv("MODELS_DIR"));

    public static final Path MODEL_DIR = MODELS_DIR.resolve("effnetb3-fer2013");

    public record Face(int valIndex, String file, String label, byte[] png) {}

    record Reference(String file, String pythonEmotion, float[] probabilities) {}

    private TestFaces() {}

    /** Fails (never skips) when the real model is not in the checkout. */
    public static void requireRealModel() {
        Path manifest = MODEL_DIR.resolve("model.json");
        if (!Files.isRegularFile(manifest)) {
            fail("The real model is missing: " + manifest + " does not exist. The emotion-service tests run the "
                    + "real ONNX model from models/effnetb3-fer2013 (model.json + model.onnx); train/export it "
                    + "(models/training) or restore it from git.");
        }
        try {
            String onnx = io.affectune.models.ModelDirectory.load(MODEL_DIR)
                    .onnxFile()
                    .toString();
            if (!Files.isRegularFile(Path.of(onnx))) {
                fail("The real model is missing: " + onnx + " (named by " + manifest + ") does not exist.");
            }
        } catch (RuntimeException e) {
            fail("The real model in " + MODEL_DIR + " cannot be read: " + e.getMessage());
        }
    }

    public static List<Face> faces() {
        List<Face> faces = new ArrayList<>();
        for (String line : lines("faces/faces.csv")) {
            if (line.startsWith("valIndex")) {
                continue;
            }
            String[] cells = line.split(",");
            faces.add(new Face(Integer.parseInt(cells[0]), cells[1], cells[2], resource("faces/" + cells[1])));
        }
        return faces;
    }

    /** Header line "# model <id> <version> sha256=<hex>" and one row per face. */
    static List<Reference> reference(String currentModelSha256) {
        List<String> lines;
        try {
            lines = lines("faces/reference.csv");
        } catch (RuntimeException e) {
            throw new AssertionError("src/test/resources/faces/reference.csv is missing: produce it with "
                    + "emotion-service/scripts/make-face-reference.py from the Python evaluation's probabilities");
        }
        String header = lines.get(0);
        if (!header.contains("sha256=" + currentModelSha256)) {
            fail("faces/reference.csv was made for another model.onnx (" + header + "), the checkout's model.onnx has "
                    + "sha256=" + currentModelSha256
                    + ": regenerate it with emotion-service/scripts/make-face-reference.py");
        }
        List<Reference> references = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("#") || line.startsWith("valIndex")) {
                continue;
            }
            String[] cells = line.split(",");
            float[] probabilities = new float[cells.length - 4];
            for (int i = 0; i < probabilities.length; i++) {
                probabilities[i] = Float.parseFloat(cells[4 + i]);
            }
            references.add(new Reference(cells[1], cells[3], probabilities));
        }
        return references;
    }

    static String sha256(Path file) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = TestFaces.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(String name) {
        return new String(resource(name), StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }

    static byte[] jpeg(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(png));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "jpeg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A colour PNG of any size (a plain grey-ish RGB picture). */
    static byte[] rgbPng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 5) & 0xFF) << 16 | ((y * 3) & 0xFF) << 8 | ((x + y) & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A PNG whose header claims width x height (IHDR rewritten, CRC fixed), pixel data unchanged. */
    static byte[] pngClaiming(byte[] png, long width, long height) {
        byte[] copy = Arrays.copyOf(png, png.length);
        writeInt(copy, 16, width);
        writeInt(copy, 20, height);
        CRC32 crc = new CRC32();
        crc.update(copy, 12, 17);
        writeInt(copy, 29, crc.getValue());
        return copy;
    }

    /** A JPEG whose frame header (SOF0/SOF2) claims width x height. */
    static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
        byte[] copy = Arrays.copyOf(jpeg, jpeg.length);
        for (int i = 2; i + 9 < copy.length; i++) {
            if ((copy[i] & 0xFF) == 0xFF && ((copy[i + 1] & 0xFF) == 0xC0 || (copy[i + 1] & 0xFF) == 0xC2)) {
                copy[i + 5] = (byte) (height >> 8);
                copy[i + 6] = (byte) height;
                copy[i + 7] = (byte) (width >> 8);
                copy[i + 8] = (byte) width;
                return copy;
            }
        }
        throw new IllegalStateException("no SOF marker");
    }

    private static void writeInt(byte[] bytes, int offset, long value) {
        bytes[offset] = (byte) (value >> 24);
        bytes[offset + 1] = (byte) (value >> 16);
        bytes[offset + 2] = (byte) (value >> 8);
        bytes[offset + 3] = (byte) value;
    }

    static byte[] gif() {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "gif", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
