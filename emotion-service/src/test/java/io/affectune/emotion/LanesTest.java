package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.emotion.model.ModelRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Requests that say they are less urgent than the default (RFC 9218 {@code Priority: u=5}, as camera-service sends its
 * streams' label refreshes) run in a lane of their own: a flood of them that fills their queue, so that they are
 * refused with 503, does not refuse or hold a request whose caller waits; and their inference threads run at the
 * lowest thread priority.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "emotion.queue-capacity=1",
            "emotion.max-batch-size=1",
            "emotion.decode-threads=4",
            "emotion.pace-early-retries=false"
        })
class LanesTest {

    @Autowired
    ModelRegistry registry;

    @LocalServerPort
    int port;

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
    }

    private Mono<Integer> predict(WebClient web, byte[] png, boolean background) {
        return web.post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_PNG)
                .headers(h -> {
                    if (background) {
                        h.set("Priority", "u=5");
                    }
                })
                .bodyValue(png)
                .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()));
    }

    @Test
    void aFullBackgroundLaneNeitherRefusesNorHoldsInteractiveRequests() throws InterruptedException {
        ModelReady.await(registry);
        byte[] png = TestFaces.faces().get(0).png();
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        AtomicInteger backgroundRefused = new AtomicInteger();
        CountDownLatch full = new CountDownLatch(1);
        var flood = Flux.range(0, 600)
                .flatMap(i -> predict(web, png, true), 32)
                .doOnNext(status -> {
                    if (status == 503) {
                        backgroundRefused.incrementAndGet();
                        full.countDown();
                    }
                })
                .collectList()
                .toFuture();
        assertThat(full.await(60, TimeUnit.SECONDS))
                .as("the flood fills the background lane's queue of 1")
                .isTrue();

        int refusedBefore = backgroundRefused.get();
        List<Integer> interactive = Flux.range(0, 10)
                .concatMap(i -> predict(web, png, false))
                .collectList()
                .block(Duration.ofSeconds(60));
        int refusedDuring = backgroundRefused.get() - refusedBefore;
        List<Integer> background = flood.join();

        System.out.printf(
                "600 background requests (32 at a time): %d refused with 503, %d of them while 10 interactive "
                        + "requests ran; interactive answers %s%n",
                backgroundRefused.get(), refusedDuring, interactive);
        assertThat(background).containsOnly(200, 503);
        assertThat(refusedDuring)
                .as("the background lane stayed full meanwhile")
                .isPositive();
        assertThat(interactive)
                .as("every interactive request admitted and answered")
                .containsOnly(200);
    }

    @Test
    void backgroundInferenceThreadsRunAtTheLowestPriority() {
        ModelReady.await(registry);
        List<Thread> inference = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("inference-"))
                .toList();
        assertThat(inference)
                .filteredOn(t -> t.getName().contains("-background-"))
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.getPriority()).isEqualTo(Thread.MIN_PRIORITY));
        assertThat(inference)
                .filteredOn(t -> !t.getName().contains("-background-"))
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.getPriority()).isEqualTo(Thread.NORM_PRIORITY));
    }
}
