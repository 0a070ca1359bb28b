package io.affectune.emotion;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import io.affectune.support.image.ImageAdmission;
import io.affectune.support.image.ImageIoDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The emotion probabilities a model gives the test faces, computed the way the service computes them (its image
 * admission and decoder, the models library's preprocessing, session options and flip TTA). A class of its own with a
 * {@code main} so that {@link Int8AnswersOnEveryCpuTest} can run it in JVMs on emulated CPUs and compare their answers
 * with this JVM's.
 */
public final class Int8FaceProbe {

    /** The service's admission and decoder (PredictionService), with a budget any test face fits. */
    private static final ImageAdmission ADMISSION = new ImageAdmission(1L << 24, 4, "none");

    private Int8FaceProbe() {}

    /** One row of probabilities per test face, in {@link TestFaces#faces()} order. */
    public static float[][] probabilities(Path modelDir) {
        ModelDescriptor model = ModelDirectory.load(modelDir);
        FacePreprocessor preprocessor = new FacePreprocessor(model.manifest());
        List<float[]> tensors = new ArrayList<>();
        for (TestFaces.Face face : TestFaces.faces()) {
            tensors.add(preprocessor.preprocess(ImageIoDecoder.decode(ADMISSION.admit(face.png()))));
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
}
