package io.affectune.bench.camera;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tukaani.xz.XZInputStream;

/** Reads the FER2013 split files of ../shared/datasets/fer2013 (48x48 uint8 faces + labels). */
public record Fer2013(byte[][] faces, byte[] labels) {

    public static final String[] LABELS = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};

    public static Fer2013 read(Path dir, String split) throws IOException {
        byte[] pixels;
        try (InputStream in = new XZInputStream(Files.newInputStream(dir.resolve(split + "-images.u8.xz")))) {
            pixels = in.readAllBytes();
        }
        byte[] labels = Files.readAllBytes(dir.resolve(split + "-labels.u8"));
        byte[][] faces = new byte[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            faces[i] = java.util.Arrays.copyOfRange(pixels, i * 2304, (i + 1) * 2304);
        }
        return new Fer2013(faces, labels);
    }
}
