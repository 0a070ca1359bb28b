package io.affectune.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs a real (tiny, 16 -> 7 linear) ONNX model through ONNX Runtime; expected values from numpy. */
class OnnxClassifierTest {

    static Path tinyModelsDir() throws URISyntaxException {
        return Path.of(OnnxClassifierTest.class.getResource("/tiny").toURI());
    }

    @Test
    void scansManifestsAndIgnoresUnknownFields() throws Exception {
        List<ModelDescriptor> models = ModelDirectory.scan(tinyModelsDir());
        assertThat(models).extracting(ModelDescriptor::id).containsExactly("tiny-linear");
        ModelManifest manifest = models.get(0).manifest();
        assertThat(manifest.labels()).isEqualTo(ModelManifest.EMOTIONS);
        assertThat(manifest.input().sourceSize()).isEqualTo(2);
        assertThat(models.get(0).rawManifest().has("training")).isTrue();
        assertThat(models.get(0).onnxFile().getFileName().toString()).isEqualTo("model.onnx");
    }

    @Test
    void classifiesABatchWithSoftmaxOverLogits() throws Exception {
        ModelDescriptor model = ModelDirectory.load(tinyModelsDir().resolve("tiny-linear"));
        float[] first = new float[16];
        float[] second = new float[16];
        for (int i = 0; i < 16; i++) {
            first[i] = -1f + 2f * i / 31f;
            second[i] = -1f + 2f * (i + 16) / 31f;
        }
        float[][] expected = {
            {
                0.11118920892477036f,
                0.12248731404542923f,
                0.11118920892477036f,
                0.1349334567785263f,
                0.1349334567785263f,
                0.18331998586654663f,
                0.20194745063781738f
            },
            {
                0.09432943165302277f,
                0.11521422863006592f,
                0.11595993489027023f,
                0.15602543950080872f,
                0.17299190163612366f,
                0.1555229276418686f,
                0.1899561583995819f
            }
        };
        try (OnnxClassifier classifier = new OnnxClassifier(model, 1)) {
            float[][] batch = classifier.classify(List.of(first, second));
            float[][] single = classifier.classify(List.of(second));
            for (int c = 0; c < 7; c++) {
                assertThat(batch[0][c]).isCloseTo(expected[0][c], within(1e-5f));
                assertThat(batch[1][c]).isCloseTo(expected[1][c], within(1e-5f));
                assertThat(single[0][c]).isCloseTo(batch[1][c], within(1e-6f));
            }
        }
    }

    @Test
    void flipTtaIsTheSoftmaxOfTheMeanOfTheTwoLogitsAsTheTrainingCodeMeasuresIt() throws Exception {
        ModelDescriptor model = ModelDirectory.load(tinyModelsDir().resolve("tiny-linear"));
        FacePreprocessor preprocessor = new FacePreprocessor(model.manifest());
        float[] image = new float[16];
        for (int i = 0; i < 16; i++) {
            image[i] = (i % 4) * 0.6f - 0.9f; // rows that are not symmetric: the mirror differs
        }
        try (OnnxClassifier classifier = new OnnxClassifier(model, 1)) {
            float[] mirror = preprocessor.flipHorizontally(image);
            float[][] logits = classifier.scores(List.of(image, mirror));
            float[] meanLogits = new float[7];
            for (int c = 0; c < 7; c++) {
                meanLogits[c] = (logits[0][c] + logits[1][c]) / 2;
            }
            OnnxClassifier.softmaxInPlace(meanLogits);
            float[][] probabilities = classifier.classify(List.of(image, mirror));
            float[] tta = OnnxClassifier.classifyWithTta(classifier, preprocessor, List.of(image), true)[0];

            assertThat(tta).containsExactly(meanLogits, within(1e-6f));
            assertThat(classifier.combineMirrored(logits[0], logits[1])).containsExactly(meanLogits, within(1e-6f));
            float largestGap = 0;
            for (int c = 0; c < 7; c++) {
                largestGap = Math.max(largestGap, Math.abs(tta[c] - (probabilities[0][c] + probabilities[1][c]) / 2));
            }
            assertThat(largestGap).as("not the mean of the two probabilities").isGreaterThan(1e-5f);
        }
    }

    @Test
    void intraOpThreadsThatSleepInsteadOfSpinningGiveTheSameAnswers() throws Exception {
        ModelDescriptor model = ModelDirectory.load(tinyModelsDir().resolve("tiny-linear"));
        float[] image = new float[16];
        for (int i = 0; i < 16; i++) {
            image[i] = (i % 5) / 4f - 0.5f;
        }
        try (OnnxClassifier spinning = new OnnxClassifier(model, 2, true);
                OnnxClassifier sleeping = new OnnxClassifier(model, 2, false)) {
            float[] expected = spinning.classify(List.of(image))[0];
            for (int round = 0; round < 20; round++) {
                for (float[] probabilities : sleeping.classify(List.of(image, image))) {
                    assertThat(probabilities).containsExactly(expected, within(1e-6f));
                }
            }
        }
    }

    @Test
    void rejectsAManifestThatDoesNotMatchTheOnnxFile() throws Exception {
        Path dir = tinyModelsDir().resolve("tiny-linear");
        ModelDescriptor good = ModelDirectory.load(dir);
        ModelManifest.Input wrongSize = new ModelManifest.Input(
                "input", "NCHW", 1, 8, 8, "bt601", 2, "bilinear", false, 1 / 255.0, List.of(0.5), List.of(0.5));
        ModelManifest m = good.manifest();
        ModelDescriptor bad = new ModelDescriptor(
                dir,
                new ModelManifest(
                        m.id(),
                        m.version(),
                        m.architecture(),
                        m.onnx(),
                        m.opset(),
                        m.labels(),
                        wrongSize,
                        m.output(),
                        m.crop(),
                        m.metrics(),
                        m.tta()),
                good.rawManifest());
        assertThatThrownBy(() -> new OnnxClassifier(bad, 1))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("expects input shape");
    }
}
