package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.emotion.model.ModelRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Health is DOWN, and predictions are refused with 503, while the default model cannot be served. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "emotion.default-model=no-such-model")
class HealthTest {

    @Autowired
    WebTestClient client;

    @Autowired
    ModelRegistry registry;

    @Test
    void healthIsDownAndPredictionsAre503WithoutTheDefaultModel() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (registry.state() == ModelRegistry.State.LOADING && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(registry.state()).isEqualTo(ModelRegistry.State.FAILED);
        client.get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("DOWN")
                .jsonPath("$.components.models.details.problem")
                .value(p -> assertThat((String) p).contains("no-such-model"));
        PredictionApiTest.expectProblem(
                client.post()
                        .uri("/api/v1/predictions")
                        .contentType(MediaType.IMAGE_PNG)
                        .bodyValue(TestFaces.faces().get(0).png())
                        .exchange(),
                HttpStatus.SERVICE_UNAVAILABLE,
                "no-such-model");
    }
}
