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

/**
 * Overload is shed by queueing deadline: with a short deadline and a burst, the requests the queue can serve
 * in time are answered and the rest are refused at once with 503 + Retry-After (problem type queue-full),
 * before their images are decoded; never a 500, never a request left waiting.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "emotion.queue-deadline=30ms",
            "emotion.max-batch-size=1",
            "emotion.decode-threads=2",
            // the burst shares a pool of 16 connections: holding them to Retry-After is RetryAfterPacingTest's subject
            "emotion.pace-early-retries=false"
        })
class DeadlineSheddingTest {

    record Answer(int status, String retryAfter, String body) {}

    @Autowired
    ModelRegistry registry;

    @LocalServerPort
    int port;

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
    }

    @Test
    void aBurstOverTheDeadlineIsShedAtOnceAndTheRestAnswered() {
        ModelReady.await(registry);
        byte[] png = TestFaces.faces().get(0).png();
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        post(web, png, null).block(); // one run measures the time per image
        List<Answer> answers = Flux.range(0, 96)
                .flatMap(i -> post(web, png, null), 96)
                .collectList()
                .block(Duration.ofSeconds(120));
        long ok = answers.stream().filter(a -> a.status() == 200).count();
        List<Answer> shed = answers.stream().filter(a -> a.status() == 503).toList();
        System.out.printf("96 simultaneous requests, 30 ms queueing deadline: %d answered, %d shed%n", ok, shed.size());
        assertThat(ok + shed.size()).isEqualTo(96);
        assertThat(ok).isPositive();
        assertThat(shed).isNotEmpty().allSatisfy(a -> {
            assertThat(a.retryAfter()).isEqualTo("1");
            assertThat(a.body()).contains("urn:affectune:problem:queue-full", "deadline");
        });
        assertThat(post(web, png, null).block().status()).isEqualTo(200);
    }

    @Test
    void theCallersDeadlineHeaderIsReadAndABadOneIsA400() {
        ModelReady.await(registry);
        byte[] png = TestFaces.faces().get(0).png();
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        assertThat(post(web, png, "20").block().status()).isEqualTo(200);
        Answer bad = post(web, png, "soon").block();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("X-Deadline-Ms");
    }

    private static Mono<Answer> post(WebClient web, byte[] png, String deadlineMs) {
        return web.post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_PNG)
                .headers(h -> {
                    if (deadlineMs != null) {
                        h.set("X-Deadline-Ms", deadlineMs);
                    }
                })
                .bodyValue(png)
                .exchangeToMono(r -> r.bodyToMono(String.class)
                        .defaultIfEmpty("")
                        .map(body -> new Answer(
                                r.statusCode().value(),
                                r.headers().asHttpHeaders().getFirst("Retry-After"),
                                body)));
    }
}
