package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.emotion.prediction.Prediction;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The served default is the int8 copy of the float model (models/effnetb3-fer2013-int8, made by
 * models/training/qat.py + quantize.py): it runs 1.6-1.9x faster on the CPU, and may only do so if it answers like
 * the float model. Checked here with the shipped configuration, both real models and the real test faces.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QuantizedDefaultModelTest {

    static final String INT8 = "effnetb3-fer2013-int8";
    static final String FLOAT = "effnetb3-fer2013";

    @Autowired
    WebTestClient client;

    @Autowired
    ModelRegistry registry;

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
    }

    @BeforeEach
    void modelLoaded() {
        client = ModelReady.patientClient(registry, client);
    }

    @Test
    void theDefaultIsTheInt8CopyAndItsValidationAccuracyIsWithinAPointOfTheFloatModel() {
        JsonNode answer = client.get()
                .uri("/api/v1/models")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
        assertThat(answer.get("defaultModel").asText()).isEqualTo(INT8);
        JsonNode int8 = manifest(answer, INT8);
        JsonNode fp32 = manifest(answer, FLOAT);
        assertThat(int8.get("quantization").get("of").get("id").asText()).isEqualTo(FLOAT);
        for (String metric : List.of("accuracy", "macroRecall")) {
            assertThat(int8.get("metrics").get(metric).asDouble())
                    .as("validation %s of the int8 copy vs the float model", metric)
                    .isGreaterThanOrEqualTo(fp32.get("metrics").get(metric).asDouble() - 0.01);
        }
        assertThat(int8.get("crop")).isEqualTo(fp32.get("crop"));
        assertThat(int8.get("input")).isEqualTo(fp32.get("input"));
    }

    @Test
    void onTheTestFacesTheInt8CopyAnswersAsTheFloatModelDoes() {
        List<TestFaces.Face> faces = TestFaces.faces();
        int same = 0;
        double largestGap = 0;
        for (TestFaces.Face face : faces) {
            Prediction int8 = predict(face.png(), "");
            Prediction fp32 = predict(face.png(), "?model=" + FLOAT);
            assertThat(int8.model().id()).isEqualTo(INT8);
            assertThat(fp32.model().id()).isEqualTo(FLOAT);
            if (int8.emotion().equals(fp32.emotion())) {
                same++;
            }
            for (String emotion : fp32.probabilities().keySet()) {
                largestGap = Math.max(
                        largestGap,
                        Math.abs(int8.probabilities().get(emotion)
                                - fp32.probabilities().get(emotion)));
            }
        }
        System.out.printf(
                "int8 vs float on %d test faces: same emotion %d, largest probability gap %.3f%n",
                faces.size(), same, largestGap);
        assertThat(same).as("faces with the float model's emotion").isGreaterThanOrEqualTo(faces.size() - 2);
        assertThat(largestGap).as("largest probability gap").isLessThan(0.15);
    }

    private static JsonNode manifest(JsonNode models, String id) {
        for (JsonNode model : models.get("models")) {
            if (model.get("id").asText().equals(id)) {
                return model.get("manifest");
            }
        }
        throw new AssertionError("model " + id + " is not listed: " + models);
    }

    private Prediction predict(byte[] png, String query) {
        return client.post()
                .uri("/api/v1/predictions" + query)
                .contentType(MediaType.IMAGE_PNG)
                .bodyValue(png)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Prediction.class)
                .returnResult()
                .getResponseBody();
    }
}
