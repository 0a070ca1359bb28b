package io.affectune.camera.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.affectune.camera.TestFaces;
import io.affectune.camera.emotion.EmotionClient;
import io.affectune.camera.emotion.EmotionPrediction;
import io.affectune.camera.emotion.ModelFraming;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Consumer contract camera-service -> emotion-service: {@code POST /api/v1/predictions/batch?model=&version=}, one
 * multipart part "image" per face crop (PNG, in frame order), {@code X-Deadline-Ms} = the time limit; answered with
 * a JSON array of one prediction per part. What camera-service sends, and what it does with every kind of answer:
 * predictions in crop order; a 4xx (the 409 model-version mismatch included) degrades the frame without opening
 * the breaker; 5xx and time-outs degrade it and open the breaker after the configured calls, which then keeps calls
 * away until its wait is over and closes again on a good answer; an answer it cannot read (wrong count, not JSON,
 * another content type) degrades it and counts as a failure. A 503 with {@code Retry-After} (load shedding) keeps
 * calls away for that time. A label refresh that no frame waits for says so: {@code Priority: u=5} (RFC 9218).
 */
class EmotionContractTest extends ServiceStubs {

    private static final String BATCH = "/api/v1/predictions/batch";

    @Autowired
    EmotionClient client;

    @Autowired
    ModelFraming framing;

    @Autowired
    WebTestClient http;

    private static List<byte[]> crops(int n) {
        List<byte[]> crops = new ArrayList<>();
        for (TestFaces.Face face : TestFaces.all().subList(0, n)) {
            Mat mat = new Mat(48, 48, CvType.CV_8UC1);
            try {
                mat.put(0, 0, face.pixels());
                crops.add(TestFaces.png(mat));
            } finally {
                mat.release();
            }
        }
        return crops;
    }

    private static String prediction(String emotion) {
        return """
                {"emotion": "%s", "confidence": 0.8, "probabilities": {"angry": 0.02, "disgust": 0.01, "fear": 0.03,
                 "happy": 0.8, "neutral": 0.1, "sad": 0.02, "surprise": 0.02}, "model": {"id": "m", "version": "v"}}""".formatted(emotion);
    }

    private static void answer(ResponseDefinitionBuilder response) {
        EMOTION.stubFor(post(urlPathEqualTo(BATCH)).willReturn(response));
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

    private Optional<List<EmotionPrediction>> classify(List<byte[]> crops) {
        return client.classify(crops, false).block(Duration.ofSeconds(10));
    }

    private int calls() {
        return EMOTION.findAll(postRequestedFor(urlPathEqualTo(BATCH))).size();
    }

    private CircuitBreakerConfig breakerConfig() {
        return breakers.circuitBreaker(EmotionClient.NAME).getCircuitBreakerConfig();
    }

    @Test
    void sendsEveryCropAsOnePngPartNamingTheModelAndTheDeadlineAndReadsThePredictionsInOrder() {
        List<byte[]> crops = crops(2);
        answer(json(200, "[" + prediction("happy") + ", " + prediction("sad") + "]"));

        Optional<List<EmotionPrediction>> answer = classify(crops);

        assertThat(answer).isPresent();
        assertThat(answer.get()).extracting(EmotionPrediction::emotion).containsExactly("happy", "sad");
        assertThat(answer.get().get(0).probabilities()).hasSize(7).containsEntry("happy", 0.8);
        EMOTION.verify(
                1,
                postRequestedFor(urlPathEqualTo(BATCH))
                        .withQueryParam("model", equalTo(framing.modelId()))
                        .withQueryParam("version", equalTo(framing.version()))
                        .withHeader("X-Deadline-Ms", equalTo("1000"))
                        .withHeader("Accept", equalTo("application/json")));
        LoggedRequest request =
                EMOTION.findAll(postRequestedFor(urlPathEqualTo(BATCH))).get(0);
        assertThat(request.getHeader("Content-Type")).startsWith("multipart/form-data;boundary=");
        List<Request.Part> parts = new ArrayList<>(request.getParts());
        assertThat(parts).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(parts.get(i).getName()).isEqualTo("image");
            assertThat(parts.get(i).getHeader("Content-Type").firstValue()).isEqualTo("image/png");
            assertThat(parts.get(i).getHeader("Content-Disposition").firstValue())
                    .contains("filename=\"face-" + i + ".png\"");
            assertThat(parts.get(i).getBody().asBytes()).isEqualTo(crops.get(i));
        }
    }

    @Test
    void aLabelRefreshSaysItIsLessUrgentAndAFrameThatWaitsDoesNot() {
        answer(json(200, "[" + prediction("happy") + "]"));

        assertThat(client.classify(crops(1), true).block(Duration.ofSeconds(10)))
                .isPresent();
        assertThat(classify(crops(1))).isPresent();

        List<LoggedRequest> requests = EMOTION.findAll(postRequestedFor(urlPathEqualTo(BATCH)));
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).getHeader("Priority"))
                .as("RFC 9218: urgency 5, below the default 3")
                .isEqualTo("u=5");
        assertThat(requests.get(1).containsHeader("Priority"))
                .as("the default urgency")
                .isFalse();
    }

    @Test
    void noFacesNoCall() {
        assertThat(classify(List.of())).contains(List.of());
        assertThat(calls()).isZero();
    }

    @Test
    void refusalsDegradeTheFrameButNeverOpenTheBreaker() {
        int many = breakerConfig().getMinimumNumberOfCalls() + 2;
        List<ResponseDefinitionBuilder> refusals = List.of(
                problem(409, "model-version-mismatch"), problem(400, "malformed-request"),
                problem(413, "payload-too-large"), problem(429, "too-many-requests"));
        for (ResponseDefinitionBuilder refusal : refusals) {
            answer(refusal);
            for (int i = 0; i < many; i++) {
                assertThat(classify(crops(1))).isEmpty();
            }
        }
        assertThat(calls()).as("every call reached emotion-service").isEqualTo(refusals.size() * many);
        assertThat(client.breakerState()).isEqualTo("CLOSED");
        assertThat(breakers.circuitBreaker(EmotionClient.NAME).getMetrics().getNumberOfFailedCalls())
                .isZero();

        // and the next good answer is used at once
        answer(json(200, "[" + prediction("happy") + "]"));
        assertThat(classify(crops(1))).isPresent();
    }

    @Test
    void serverErrorsOpenTheBreakerWhichKeepsCallsAwayAndClosesAgainAfterItsWait() throws InterruptedException {
        answer(problem(503, "unavailable"));
        int minimumCalls = breakerConfig().getMinimumNumberOfCalls();
        assertThat(minimumCalls).as("EMOTION_BREAKER_MIN_CALLS default").isEqualTo(3);
        for (int i = 0; i < minimumCalls; i++) {
            assertThat(client.breakerState()).isEqualTo("CLOSED");
            assertThat(classify(crops(1))).isEmpty();
        }
        assertThat(client.breakerState()).isEqualTo("OPEN");

        // open: the frame is degraded at once, emotion-service is not called
        assertThat(classify(crops(1))).isEmpty();
        assertThat(calls()).isEqualTo(minimumCalls);

        // emotion-service is back; after the breaker's wait one probe call closes it
        answer(json(200, "[" + prediction("happy") + "]"));
        assertThat(eventually(() -> client.breakerState().equals("HALF_OPEN"))).isTrue();
        assertThat(classify(crops(1))).isPresent();
        assertThat(client.breakerState()).isEqualTo("CLOSED");
        assertThat(calls()).isEqualTo(minimumCalls + 1);
    }

    @Test
    void aSheddingAnswerIsHonouredForItsRetryAfter() throws InterruptedException {
        answer(problem(503, "overloaded").withHeader("Retry-After", "1"));
        assertThat(classify(crops(1))).isEmpty();

        // within the second emotion-service asked for: degraded at once, without a call
        answer(json(200, "[" + prediction("happy") + "]"));
        assertThat(classify(crops(1))).isEmpty();
        assertThat(calls()).isEqualTo(1);

        // after it, frames are classified again
        assertThat(eventually(() -> classify(crops(1)).isPresent())).isTrue();
        assertThat(calls()).isEqualTo(2);
        assertThat(client.breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void aSlowAnswerIsNotWaitedForBeyondTheTimeLimitAndCountsAsAFailure() {
        answer(json(200, "[" + prediction("happy") + "]").withFixedDelay(SLOW_MS));
        long start = System.nanoTime();

        assertThat(classify(crops(1))).isEmpty();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(SLOW_MS));
        assertThat(breakers.circuitBreaker(EmotionClient.NAME).getMetrics().getNumberOfFailedCalls())
                .isEqualTo(1);
    }

    @Test
    void answersCameraCannotReadDegradeTheFrameAndCountAsFailures() {
        List<byte[]> twoFaces = crops(2);
        answer(json(200, "[" + prediction("happy") + "]"));
        assertThat(classify(twoFaces)).as("one prediction for two faces").isEmpty();
        answer(json(200, "[{\"emotion\": \"happy\", "));
        assertThat(classify(twoFaces)).as("not JSON").isEmpty();
        answer(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<html>ok</html>"));
        assertThat(classify(twoFaces)).as("another content type").isEmpty();

        assertThat(breakers.circuitBreaker(EmotionClient.NAME).getMetrics().getNumberOfFailedCalls())
                .isEqualTo(3);
        assertThat(client.breakerState()).isEqualTo("OPEN");
    }

    @Test
    void bothBreakersStatesAreMetrics() {
        // resilience4j_circuitbreaker_state in /actuator/prometheus (whose export Spring Boot switches off in tests)
        String state = http.get()
                .uri("/actuator/metrics/resilience4j.circuitbreaker.state")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(state).contains("\"emotion-service\"", "\"playlist-service\"");
    }
}
