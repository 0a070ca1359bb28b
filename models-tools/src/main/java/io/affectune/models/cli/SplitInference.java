package io.affectune.models.cli;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.Fer2013Split;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.OnnxClassifier;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the Java path (FacePreprocessor + OnnxClassifier, TTA per manifest) over a whole split. */
final class SplitInference {

    private SplitInference() {}

    static float[][] probabilities(ModelDescriptor model, Fer2013Split split, int limit, int batchSize, int threads) {
        FacePreprocessor preprocessor = new FacePreprocessor(model.manifest());
        int n = limit > 0 ? Math.min(limit, split.size()) : split.size();
        float[][] probabilities = new float[n][];
        try (OnnxClassifier classifier = new OnnxClassifier(model, threads)) {
            for (int start = 0; start < n; start += batchSize) {
                int end = Math.min(n, start + batchSize);
                List<float[]> batch = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    batch.add(preprocessor.preprocessGray(split.image(i), Fer2013Split.SIDE, Fer2013Split.SIDE));
                }
                float[][] out = OnnxClassifier.classifyWithTta(
                        classifier, preprocessor, batch, model.manifest().horizontalFlipTta());
                System.arraycopy(out, 0, probabilities, start, out.length);
            }
        }
        return probabilities;
    }

    /** Little-endian float32, N x classes, row-major: the format PyTorch writes with numpy .tofile(). */
    static void writeFloat32(Path file, float[][] rows) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (float[] row : rows) {
                ByteBuffer buffer = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : row) {
                    buffer.putFloat(v);
                }
                out.write(buffer.array());
            }
        }
    }

    static float[][] readFloat32(Path file, int columns) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % (4 * columns) != 0) {
            throw new IllegalArgumentException(
                    file + " has " + bytes.length + " bytes: not N x " + columns + " little-endian float32");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[][] rows = new float[bytes.length / (4 * columns)][columns];
        for (float[] row : rows) {
            for (int c = 0; c < columns; c++) {
                row[c] = buffer.getFloat();
            }
        }
        return rows;
    }

    static String splitName(String split) {
        return switch (split) {
            case "val" -> "PublicTest (validation)";
            case "train" -> "Training";
            default -> split;
        };
    }
}
