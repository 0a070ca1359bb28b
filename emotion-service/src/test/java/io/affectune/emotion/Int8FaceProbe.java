package io.affectune.emotion;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The emotion probabilities a model gives the test faces, computed the way the service computes them (the models
 * library's preprocessing, session options and flip TTA). A class of its own with a {@code main} so that
 * {@link Int8AnswersOnEveryCpuTest} can run it in JVMs on emulated CPUs and compare their answers with this JVM's.
 */
public final class Int8FaceProbe {

    private Int8FaceProbe() {}

    /** One row of probabilities per test face, in {@link TestFaces#faces()} order. */
    public static float[][] probabilities(Path modelDir) {
        ModelDescriptor model = ModelDirectory.load(modelDir);
        FacePreprocessor preprocessor = new FacePreprocessor(model.manifest());
        List<float[]> tensors = new ArrayList<>();
        for (TestFaces.Face face : TestFaces.faces()) {
            tensors.add(preprocessor.preprocess(read(face.png())));
        }
        try (OnnxClassifier classifier = new OnnxClassifier(model, 1)) {
            return OnnxClassifier.classifyWithTta(
                    classifier, preprocessor, tensors, model.manifest().horizontalFlipTta());
        }
    }

    /** Prints {@link #probabilities} of the model directory given as the only argument, one face per line. */
    public static void main(String[] args) {
        for (float[] row : probabilities(Path.of(args[0]))) {
            StringBuilder line = new StringBuilder();
            for (float p : row) {
                line.append(line.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.7f", p));
            }
            System.out.println(line);
        }
    }

    private static BufferedImage read(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
