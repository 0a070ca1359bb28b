package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.emotion.model.MicroBatcher;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.testsupport.KeepAliveConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A client that ignores Retry-After cannot turn the service's cheap refusals into a retry storm: a keep-alive
 * connection that asks again before the Retry-After of its 503 gets its next 503 only when that time has come
 * (problem type retried-too-soon, Retry-After: 0), while requests on other connections are admitted as usual; the
 * connection then works normally again.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // a queueing deadline long enough for the burst below to queue up on a busy machine; the impatient request
        // says it will not wait (X-Deadline-Ms: 1)
        properties = {"emotion.max-batch-size=1", "emotion.decode-threads=2", "emotion.queue-deadline=5s"})
class RetryAfterPacingTest {

    record Timed(KeepAliveConnection.Answer answer, long answeredAt, long tookMillis) {}

    @Autowired
    ModelRegistry registry;

    @LocalServerPort
    int port;

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
    }

    @Test
    void anEarlyRetryIsHeldUntilItsRetryAfterWhileOtherConnectionsAreAdmitted() throws Exception {
        ModelReady.await(registry);
        byte[] png = TestFaces.faces().get(0).png();
        String base = "http://127.0.0.1:" + port;
        MicroBatcher batcher = registry.find(null).orElseThrow().batcher(MicroBatcher.Lane.INTERACTIVE);
        try (KeepAliveConnection impatient = new KeepAliveConnection(base);
                KeepAliveConnection other = new KeepAliveConnection(base)) {
            assertThat(impatient.post("/api/v1/predictions", "image/png", png).status())
                    .isEqualTo(200);

            // a queue of images from other clients, and a request that will not wait for it: refused at once
            WebClient web = WebClient.create(base);
            Disposable burst = Flux.range(0, 24)
                    .flatMap(
                            i -> web.post()
                                    .uri("/api/v1/predictions")
                                    .contentType(MediaType.IMAGE_PNG)
                                    .bodyValue(png)
                                    .exchangeToMono(r -> r.releaseBody()),
                            24)
                    .subscribe();
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (batcher.queueDepth() < 4 && System.nanoTime() < waitUntil) {
                Thread.onSpinWait();
            }
            KeepAliveConnection.Answer refused =
                    impatient.post("/api/v1/predictions", "image/png", png, List.of("X-Deadline-Ms: 1"));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("retry-after")).isEqualTo("1");
            assertThat(refused.body()).contains("urn:affectune:problem:queue-full");

            // the impatient client asks again at once: its answer is held; another connection is served meanwhile
            CompletableFuture<Timed> early = CompletableFuture.supplyAsync(() -> timed(impatient, png));
            long burstEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((batcher.queueDepth() > 0 || !burst.isDisposed()) && System.nanoTime() < burstEnd) {
                Thread.sleep(5);
            }
            Timed admitted = timed(other, png);
            Timed held = early.get(30, TimeUnit.SECONDS);
            System.out.printf(
                    "early retry answered %d after %d ms; another connection meanwhile %d in %d ms%n",
                    held.answer().status(), held.tookMillis(), admitted.answer().status(), admitted.tookMillis());

            assertThat(admitted.answer().status()).isEqualTo(200);
            assertThat(held.answer().status()).isEqualTo(503);
            assertThat(held.answer().header("retry-after")).isEqualTo("0");
            assertThat(held.answer().header("content-type")).isEqualTo("application/problem+json");
            assertThat(held.answer().body()).contains("urn:affectune:problem:retried-too-soon");
            assertThat(held.tookMillis())
                    .as("held until the Retry-After of the first refusal")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(500).toMillis());
            assertThat(admitted.answeredAt())
                    .as("the other connection was not held behind it")
                    .isLessThan(held.answeredAt());

            // the refusal was paid for: the same connection is served normally again
            assertThat(impatient.post("/api/v1/predictions", "image/png", png).status())
                    .isEqualTo(200);
            burst.dispose();
        }
    }

    private static Timed timed(KeepAliveConnection connection, byte[] png) {
        long started = System.nanoTime();
        try {
            KeepAliveConnection.Answer answer = connection.post("/api/v1/predictions", "image/png", png);
            long now = System.nanoTime();
            return new Timed(answer, now, TimeUnit.NANOSECONDS.toMillis(now - started));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
