package io.affectune.camera.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.playlist.PlaylistClient;
import io.affectune.camera.session.Playlist;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Consumer contract camera-service -> playlist-service: {@code GET /api/v1/playlists/{emotion}?limit=&exclude=}
 * with {@code X-Listener-Id} when the caller named a listener; answered with playlist-service's PlaylistResponse.
 * What camera-service sends, and what it does with every kind of answer: a typed playlist, handed on in camera's
 * own answers exactly as playlist-service wrote it (nulls included); a 4xx is not retried and never opens the
 * breaker; a 5xx is tried once more (GET is idempotent), and 5xx answers open the breaker, which closes again after
 * its wait; a time-out is not retried; an answer it cannot read (not JSON, another content type, not a playlist, one
 * for another emotion) is no playlist, not retried.
 */
class PlaylistContractTest extends ServiceStubs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LISTENER = "3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b";
    /** A playlist as playlist-service writes it: unknown audio features, album and distance are null. */
    private static final String HAPPY = """
            {"emotion": "happy", "strategy": "match", "target": {"valence": 0.85, "energy": 0.7},
             "goal": {"valence": 0.85, "energy": 0.7},
             "tracks": [
              {"id": 42, "spotifyId": "4uLU6hMCjMI75M1A2tKUQC", "title": "Walking on Sunshine", "artist": "Katrina",
               "album": null, "spotifyUrl": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
               "genres": ["pop", "new wave"], "valence": 0.94, "energy": 0.81, "score": 1.23,
               "reason": {"kind": "curated", "distance": null, "text": "on the curated happy list"}},
              {"id": 7, "spotifyId": null, "title": "Untitled", "artist": "Someone", "album": "Demo", "spotifyUrl": null,
               "genres": [], "valence": null, "energy": null, "score": 0.5,
               "reason": {"kind": "features", "distance": 0.12, "text": "close to the mood"}}]}""";

    @Autowired
    PlaylistClient client;

    @Autowired
    RetryRegistry retries;

    @Autowired
    WebTestClient http;

    private static void answer(ResponseDefinitionBuilder response) {
        PLAYLIST.stubFor(get(urlPathMatching("/api/v1/playlists/.*")).willReturn(response));
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(body);
    }

    private static ResponseDefinitionBuilder problem(int status, String slug) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/problem+json")
                .withBody("{\"type\": \"urn:affectune:problem:" + slug + "\", \"status\": " + status + "}");
    }

    private Optional<Playlist> happy() {
        return client.playlist("happy", List.of()).block(Duration.ofSeconds(10));
    }

    private int calls() {
        return PLAYLIST.findAll(getRequestedFor(urlPathMatching("/api/v1/playlists/.*")))
                .size();
    }

    @Test
    void asksForTheMoodsPlaylistWithoutTheGivenTracksForTheListenerAndReadsItTyped() {
        answer(json(200, HAPPY));

        Optional<Playlist> personal = client.playlist("happy", List.of("3", "5"), Optional.of(LISTENER))
                .block(Duration.ofSeconds(10));
        Optional<Playlist> global = happy();

        PLAYLIST.verify(
                1,
                getRequestedFor(urlPathEqualTo("/api/v1/playlists/happy"))
                        .withQueryParam("limit", equalTo("15"))
                        .withQueryParam("exclude", equalTo("3,5"))
                        .withHeader("X-Listener-Id", equalTo(LISTENER))
                        .withHeader("Accept", equalTo("application/json")));
        PLAYLIST.verify(
                1,
                getRequestedFor(urlPathEqualTo("/api/v1/playlists/happy"))
                        .withQueryParam("limit", equalTo("15"))
                        .withQueryParam("exclude", absent())
                        .withHeader("X-Listener-Id", absent()));
        assertThat(global).isEqualTo(personal);
        Playlist playlist = personal.orElseThrow();
        assertThat(playlist.emotion()).isEqualTo("happy");
        assertThat(playlist.target()).isEqualTo(new Playlist.Point(0.85, 0.7));
        assertThat(playlist.trackIds()).containsExactly("42", "7");
        assertThat(playlist.tracks().get(0).reason())
                .isEqualTo(new Playlist.Reason("curated", null, "on the curated happy list"));
        assertThat(playlist.tracks().get(1).valence()).isNull();
    }

    @Test
    void cameraHandsThePlaylistOnExactlyAsPlaylistServiceWroteIt() throws Exception {
        EMOTION.stubFor(post(urlPathEqualTo("/api/v1/predictions/batch")).willReturn(json(200, """
                [{"emotion": "happy", "confidence": 0.9, "probabilities": {"angry": 0.01, "disgust": 0.01,
                 "fear": 0.01, "happy": 0.9, "neutral": 0.05, "sad": 0.01, "surprise": 0.01}}]""")));
        answer(json(200, HAPPY));
        Mat frame = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 160, 200, 120, 1);
        byte[] jpeg;
        try {
            jpeg = TestFaces.jpeg(frame, 90);
        } finally {
            frame.release();
        }

        byte[] body = http.post()
                .uri("/api/v1/analyze?recommend=true")
                .header("X-Listener-Id", LISTENER)
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(jpeg)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();

        JsonNode answer = JSON.readTree(body);
        assertThat(answer.path("faces").get(0).path("emotion").asText()).isEqualTo("happy");
        assertThat(answer.get("playlist")).isEqualTo(JSON.readTree(HAPPY));
        PLAYLIST.verify(
                1,
                getRequestedFor(urlPathEqualTo("/api/v1/playlists/happy"))
                        .withHeader("X-Listener-Id", equalTo(LISTENER)));
    }

    @Test
    void refusalsAreNotRetriedAndNeverOpenTheBreaker() {
        int many = breakers.circuitBreaker(PlaylistClient.NAME)
                        .getCircuitBreakerConfig()
                        .getMinimumNumberOfCalls()
                + 2;
        for (int status : new int[] {400, 404}) {
            answer(problem(status, status == 400 ? "bad-request" : "not-found"));
            for (int i = 0; i < many; i++) {
                assertThat(happy()).isEmpty();
            }
        }
        assertThat(calls()).as("one request per call").isEqualTo(2 * many);
        assertThat(client.breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void aServerErrorIsTriedOnceMore() {
        assertThat(retries.retry(PlaylistClient.NAME).getRetryConfig().getMaxAttempts())
                .as("PLAYLIST_RETRY_ATTEMPTS default")
                .isEqualTo(2);
        PLAYLIST.stubFor(get(urlPathMatching("/api/v1/playlists/.*"))
                .inScenario("restart")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(problem(502, "bad-gateway"))
                .willSetStateTo("up"));
        PLAYLIST.stubFor(get(urlPathMatching("/api/v1/playlists/.*"))
                .inScenario("restart")
                .whenScenarioStateIs("up")
                .willReturn(json(200, HAPPY)));

        assertThat(happy()).isPresent();
        assertThat(calls()).isEqualTo(2);
    }

    @Test
    void serverErrorsOpenTheBreakerWhichKeepsCallsAwayAndClosesAgainAfterItsWait() throws InterruptedException {
        answer(problem(500, "internal-error"));
        int minimumCalls = breakers.circuitBreaker(PlaylistClient.NAME)
                .getCircuitBreakerConfig()
                .getMinimumNumberOfCalls();
        assertThat(minimumCalls).as("PLAYLIST_BREAKER_MIN_CALLS default").isEqualTo(3);
        // every attempt counts: two calls (first one tried twice) make the three failed calls that open it
        assertThat(happy()).isEmpty();
        assertThat(happy()).isEmpty();
        assertThat(client.breakerState()).isEqualTo("OPEN");
        assertThat(calls()).isEqualTo(minimumCalls);

        // open: no request reaches playlist-service, and an open breaker is not retried
        assertThat(happy()).isEmpty();
        assertThat(calls()).isEqualTo(minimumCalls);

        answer(json(200, HAPPY));
        assertThat(eventually(() -> client.breakerState().equals("HALF_OPEN"))).isTrue();
        assertThat(happy()).isPresent();
        assertThat(client.breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void aSlowAnswerIsNotWaitedForBeyondTheTimeLimitNorRetried() throws InterruptedException {
        answer(json(200, HAPPY).withFixedDelay(SLOW_MS));
        long start = System.nanoTime();

        assertThat(happy()).isEmpty();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(SLOW_MS));
        Thread.sleep(300); // a retry would have been sent by now (its wait is 50 ms here)
        assertThat(calls()).isEqualTo(1);
    }

    @Test
    void answersCameraCannotReadAreNoPlaylistAndNotRetried() {
        List<ResponseDefinitionBuilder> unreadable = List.of(
                json(200, "{\"emotion\": \"happy\", \"tracks\": ["),
                aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html>ok</html>"),
                json(200, "[]"),
                json(200, HAPPY.replace("\"emotion\": \"happy\"", "\"emotion\": \"sad\"")),
                json(200, "{\"emotion\": \"happy\"}"));
        for (ResponseDefinitionBuilder answer : unreadable) {
            PLAYLIST.resetAll();
            breakers.circuitBreaker(PlaylistClient.NAME).reset();
            answer(answer);
            assertThat(happy()).isEmpty();
            assertThat(calls()).isEqualTo(1);
            assertThat(breakers.circuitBreaker(PlaylistClient.NAME).getMetrics().getNumberOfFailedCalls())
                    .isEqualTo(1);
        }
    }
}
