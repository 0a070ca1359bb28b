package io.affectune.camera.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.testsupport.PostgresTestDatabase;
import io.affectune.testsupport.ServiceProcess;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The whole chain against the REAL emotion-service (with the real model from models/) and the REAL
 * playlist-service (on a fresh PostgreSQL database), both started from their jars. Mood timings are
 * shortened (settle 1 s, hold 2 s) so the hysteresis can be observed quickly.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "camera.mood.settle=1s",
        "camera.mood.hold=2s",
        "camera.mood.smoothing-window=300ms",
        "camera.mood.margin=0.05",
        "resilience4j.timelimiter.instances.emotion-service.timeout-duration=1s",
        "resilience4j.circuitbreaker.instances.emotion-service.wait-duration-in-open-state=1s"})
class MoodEndToEndTest {

    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration HOLD = Duration.ofSeconds(2);
    private static final double MARGIN = 0.05;

    private static PostgresTestDatabase database;
    private static ServiceProcess emotion;
    private static ServiceProcess playlist;

    @Autowired
    WebTestClient http;

    @Autowired
    ObjectMapper json;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startServices() {
        assumeTrue(RealServices.modelPresent(), "no emotion model at " + RealServices.modelsDir());
        assumeTrue(RealServices.jarBuilt("emotion-service") && RealServices.jarBuilt("playlist-service"),
                "emotion-service and playlist-service jars must be packaged first");
        database = PostgresTestDatabase.create();
        Map<String, String> playlistEnv = new HashMap<>(database.asEnv());
        playlist = ServiceProcess.start("playlist-service", playlistEnv);
        emotion = ServiceProcess.start("emotion-service", Map.of("MODELS_DIR", RealServices.modelsDir().toString()));
    }

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("camera.emotion.url", () -> emotion.baseUrl());
        registry.add("camera.playlist.url", () -> playlist.baseUrl());
        registry.add("camera.models-dir", () -> RealServices.modelsDir().toString());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{emotion, playlist, database}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    record Candidate(TestFaces.Face face, byte[] jpeg, String emotion, double confidence, JsonNode probabilities) {
    }

    private JsonNode analyze(byte[] jpeg) {
        byte[] body = http.post().uri("/api/v1/analyze").contentType(MediaType.IMAGE_JPEG).bodyValue(jpeg).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        try {
            return json.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] frameOf(TestFaces.Face face) {
        Mat frame = TestFrames.compose(face.pixels(), 640, 480, 200, 220, 140, 1);
        try {
            return TestFaces.jpeg(frame, 92);
        } finally {
            frame.release();
        }
    }

    /**
     * Two faces the model reads as two different, confident emotions, preferring faces whose
     * prediction matches their FER2013 label (so with a good model "happy" frames give the happy mood).
     */
    private List<Candidate> twoExpressions() throws InterruptedException {
        // the first calls warm up both JVMs and ONNX Runtime and may exceed the timeout: wait for a real answer
        byte[] warmUp = frameOf(TestFaces.all().get(0));
        Instant deadline = Instant.now().plusSeconds(30);
        while (analyze(warmUp).path("degraded").asBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
        }
        List<Candidate> all = new ArrayList<>();
        for (TestFaces.Face face : TestFaces.all()) {
            byte[] jpeg = frameOf(face);
            JsonNode result = analyze(jpeg);
            assertThat(result.path("degraded").asBoolean()).isFalse();
            JsonNode f = result.path("faces").get(0);
            all.add(new Candidate(face, jpeg, f.path("emotion").asText(), f.path("confidence").asDouble(), f.path("probabilities")));
        }
        all.sort((a, b) -> {
            int byLabel = Boolean.compare(b.emotion().equals(b.face().label()), a.emotion().equals(a.face().label()));
            return byLabel != 0 ? byLabel : Double.compare(b.confidence(), a.confidence());
        });
        Candidate first = all.get(0);
        // B must beat A's emotion by a clear lead (more than the margin), or no mood change is expected
        Candidate second = all.stream().filter(c -> !c.emotion().equals(first.emotion()))
                .filter(c -> c.confidence() - c.probabilities().path(first.emotion()).asDouble() > MARGIN + 0.05)
                .max(java.util.Comparator.comparingDouble(c -> c.confidence() - c.probabilities().path(first.emotion()).asDouble()))
                .orElse(null);
        System.out.printf("expression A: %s read as %s (%.2f)%n", first.face().name(), first.emotion(), first.confidence());
        if (second == null) {
            System.out.println("WARNING: no test face is read as another emotion with a lead over " + first.emotion()
                    + " above the margin (an undertrained model); the mood-change part of this test cannot run");
            return java.util.Arrays.asList(first, null);
        }
        System.out.printf("expression B: %s read as %s (%.2f)%n", second.face().name(), second.emotion(), second.confidence());
        return List.of(first, second);
    }

    record Received(Instant at, JsonNode result) {
    }

    @Test
    void moodSettlesFollowsHysteresisAndSurvivesEmotionServiceOutage() throws Exception {
        List<Candidate> expressions = twoExpressions();
        Candidate a = expressions.get(0);
        Candidate b = expressions.get(1);

        AtomicReference<byte[]> current = new AtomicReference<>(a.jpeg());
        List<Received> received = Collections.synchronizedList(new ArrayList<>());
        String sessionId = "e2e-" + System.nanoTime();
        ReactorNettyWebSocketClient client = new ReactorNettyWebSocketClient();
        Instant startA = Instant.now();
        Disposable socket = client.execute(URI.create("ws://127.0.0.1:" + port + "/api/v1/sessions/" + sessionId + "/stream"),
                ws -> ws.send(Flux.interval(Duration.ofMillis(100)).map(i -> ws.binaryMessage(f -> f.wrap(current.get()))))
                        .and(ws.receive().doOnNext(m -> {
                            try {
                                received.add(new Received(Instant.now(), json.readTree(m.getPayloadAsText())));
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                        })))
                .subscribe();
        try {
            // phase A: one expression settles into its mood, and that mood's playlist arrives
            JsonNode firstMood = waitFor(received, r -> r.path("mood").path("emotion").asText().equals(a.emotion()),
                    Duration.ofSeconds(15));
            Instant settledAt = Instant.parse(firstMood.path("mood").path("since").asText());
            assertThat(Duration.between(startA, settledAt)).isGreaterThanOrEqualTo(SETTLE);
            JsonNode playlistA = waitFor(received, r -> r.path("playlist").path("emotion").asText().equals(a.emotion()),
                    Duration.ofSeconds(10)).path("playlist");
            assertThat(playlistA.path("tracks").size()).isPositive();
            Set<String> tracksA = ids(playlistA);

            // phase B: the other expression wins, but the mood changes only after the hold and a settle
            if (b != null) {
                checkMoodChange(a, b, current, received, firstMood, settledAt, tracksA);
            }
        } finally {
            socket.dispose();
        }

        // emotion-service goes away: frames still get their faces, flagged degraded
        emotion.stop();
        JsonNode degraded = analyze(a.jpeg());
        assertThat(degraded.path("degraded").asBoolean()).isTrue();
        assertThat(degraded.path("faces").size()).isEqualTo(1);
        assertThat(degraded.path("faces").get(0).has("emotion")).isFalse();
        // ... and it comes back: the service recovers by itself
        emotion.restart();
        Instant deadline = Instant.now().plusSeconds(30);
        JsonNode recovered = analyze(a.jpeg());
        while (recovered.path("degraded").asBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(300);
            recovered = analyze(a.jpeg());
        }
        assertThat(recovered.path("degraded").asBoolean()).isFalse();
        assertThat(recovered.path("faces").get(0).path("emotion").asText()).isEqualTo(a.emotion());

        // ?recommend=true adds a playlist for the dominant emotion
        http.post().uri("/api/v1/analyze?recommend=true").contentType(MediaType.IMAGE_JPEG).bodyValue(a.jpeg()).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.playlist.emotion").isEqualTo(a.emotion());
    }

    private void checkMoodChange(Candidate a, Candidate b, AtomicReference<byte[]> current, List<Received> received,
                                 JsonNode firstMood, Instant settledAt, Set<String> tracksA) throws InterruptedException {
        Thread.sleep(500);
        Instant startB = Instant.now();
        current.set(b.jpeg());
        JsonNode changed = waitFor(received, r -> r.path("mood").path("emotion").asText().equals(b.emotion()),
                Duration.ofSeconds(20));
        Instant changedAt = Instant.parse(changed.path("mood").path("since").asText());
        Instant lockedUntilA = Instant.parse(firstMood.path("mood").path("lockedUntil").asText());
        assertThat(Duration.between(startB, changedAt)).as("change waits for settle").isGreaterThanOrEqualTo(SETTLE);
        assertThat(changedAt).as("change waits for the hold").isAfterOrEqualTo(lockedUntilA);
        assertThat(Duration.between(settledAt, changedAt)).isGreaterThanOrEqualTo(HOLD);
        synchronized (received) {
            // between the switch and the change, every answer still carried mood A
            received.stream().filter(r -> r.at().isAfter(startB) && r.result().has("mood")
                            && Instant.parse(r.result().path("timestamp").asText()).isBefore(changedAt))
                    .forEach(r -> assertThat(r.result().path("mood").path("emotion").asText()).isEqualTo(a.emotion()));
        }
        JsonNode playlistB = waitFor(received, r -> r.path("playlist").path("emotion").asText().equals(b.emotion()),
                Duration.ofSeconds(10)).path("playlist");
        Set<String> overlap = new HashSet<>(ids(playlistB));
        overlap.retainAll(tracksA);
        assertThat(overlap).as("tracks already given in this session are not repeated").isEmpty();
    }

    private static Set<String> ids(JsonNode playlist) {
        Set<String> ids = new HashSet<>();
        playlist.path("tracks").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    private static JsonNode waitFor(List<Received> received, java.util.function.Predicate<JsonNode> condition,
                                    Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            synchronized (received) {
                for (Received r : received) {
                    if (condition.test(r.result())) {
                        return r.result();
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("condition not met within " + timeout + "; last results: "
                + received.subList(Math.max(0, received.size() - 3), received.size()));
    }
}
