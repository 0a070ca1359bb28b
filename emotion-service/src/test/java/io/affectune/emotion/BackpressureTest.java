package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.emotion.model.ModelRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A full queue refuses work with 503 + Retry-After instead of piling it up; the service recovers. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "emotion.queue-capacity=1",
            "emotion.max-batch-size=1",
            "emotion.decode-threads=4",
            // the burst shares a pool of 16 connections: holding them to Retry-After is RetryAfterPacingTest's subject
            "emotion.pace-early-retries=false"
        })
class BackpressureTest {

    record Answer(int status, String retryAfter, String contentType) {}

    @Autowired
    ModelRegistry registry;

    @LocalServerPort
    int port;

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() {
        ModelReady.await(registry);
        byte[] png = TestFaces.faces().get(0).png();
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        List<Answer> answers = Flux.range(0, 64)
                .flatMap(
                        i -> web.post()
                                .uri("/api/v1/predictions")
                                .contentType(MediaType.IMAGE_PNG)
                                .bodyValue(png)
                                .exchangeToMono(r -> r.releaseBody()
                                        .then(Mono.just(new Answer(
                                                r.statusCode().value(),
                                                r.headers().asHttpHeaders().getFirst("Retry-After"),
                                                String.valueOf(r.headers()
                                                        .contentType()
                                                        .orElse(null)))))),
                        64)
                .collectList()
                .block(Duration.ofSeconds(120));
        long ok = answers.stream().filter(a -> a.status() == 200).count();
        List<Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
        System.out.printf(
                "64 simultaneous requests with a queue of 1: %d answered, %d refused with 503%n", ok, refused.size());
        assertThat(ok + refused.size()).isEqualTo(64);
        assertThat(ok).isPositive();
        assertThat(refused).isNotEmpty().allSatisfy(a -> {
            assertThat(a.retryAfter()).isEqualTo("1");
            assertThat(a.contentType()).isEqualTo("application/problem+json");
        });
        int status = web.post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_PNG)
                .bodyValue(png)
                .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
                .block();
        assertThat(status).isEqualTo(200);
    }
}
