package io.affectune.models;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tukaani.xz.XZInputStream;

/**
 * One split of the FER2013 data in the project's raw format: {@code <split>-images.u8.xz}
 * (N x 48 x 48 uint8, xz-compressed) and {@code <split>-labels.u8} (N class indices).
 */
public record Fer2013Split(String split, byte[] pixels, byte[] labels) {

    public static final int SIDE = 48;
    public static final int IMAGE_BYTES = SIDE * SIDE;

    public static Fer2013Split load(Path dataDir, String split) {
        Path images = dataDir.resolve(split + "-images.u8.xz");
        Path labelFile = dataDir.resolve(split + "-labels.u8");
        try {
            byte[] labels = Files.readAllBytes(labelFile);
            byte[] pixels;
            try (InputStream in = new XZInputStream(new BufferedInputStream(Files.newInputStream(images)))) {
                pixels = in.readAllBytes();
            }
            if (pixels.length != labels.length * IMAGE_BYTES) {
                throw new IllegalArgumentException(
                        images + " holds " + pixels.length + " bytes, expected " + labels.length + " x " + IMAGE_BYTES
                                + " for the " + labels.length + " labels of " + labelFile);
            }
            return new Fer2013Split(split, pixels, labels);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read split '" + split + "' from " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    /** A copy of image {@code index}, 48 x 48 row-major gray bytes. */
    public byte[] image(int index) {
        byte[] image = new byte[IMAGE_BYTES];
        System.arraycopy(pixels, index * IMAGE_BYTES, image, 0, IMAGE_BYTES);
        return image;
    }
}
