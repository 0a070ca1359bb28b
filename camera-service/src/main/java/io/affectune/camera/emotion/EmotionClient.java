package io.affectune.camera.emotion;

import io.affectune.camera.config.CameraProperties;
import io.affectune.support.client.HttpClientSettings;
import io.affectune.support.client.HttpClients;
import io.affectune.support.client.MultipartBody;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;

/**
 * Classifies all faces of one frame with one call to emotion-service, naming the model id and version the faces
 * were framed for ({@code ?model=&version=}); a version mismatch (409) is logged as an error and the frame is
 * degraded, never classified by another model silently. Failures (down, slow, 5xx, an answer that cannot be
 * read) are answered with an empty result so that frames still flow, flagged as degraded. The Resilience4j
 * instances named {@value #NAME} (application.yml) bound the call: the time limiter ({@code EMOTION_TIMEOUT}, also
 * sent as the {@code X-Deadline-Ms} header) and the circuit breaker, which stops hammering a dead service and probes
 * it again after {@code EMOTION_BREAKER_WAIT}: that is how the service recovers by itself. 4xx answers (the 409
 * included) do not count against the breaker. No retry: see application.yml.
 *
 * <p>A 503 with {@code Retry-After} (emotion-service shedding load) is honoured: until that time has passed, frames
 * are answered degraded at once without a call. emotion-service holds early retries on a connection until their
 * {@code Retry-After} is up (its "Overload" section), so ignoring it would only make frames wait for a refusal.
 */
@Component
public class EmotionClient {

    /** The Resilience4j instance name (circuit breaker, time limiter). */
    public static final String NAME = "emotion-service";

    private static final Logger log = LoggerFactory.getLogger(EmotionClient.class);
    private static final ParameterizedTypeReference<List<EmotionPrediction>> LIST =
            new ParameterizedTypeReference<>() {};

    /** The RFC 9218 header, and its value for a call no frame waits for (the default urgency is 3). */
    static final String PRIORITY = "Priority";

    static final String BACKGROUND_PRIORITY = "u=5";

    private final WebClient client;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final TimeLimiter timeLimiter;
    private final ModelFraming model;
    /** Longest back-off taken from a Retry-After header, whatever emotion-service asks for. */
    private static final Duration MAX_BACK_OFF = Duration.ofSeconds(5);
    /** System.nanoTime() before which no call is made (emotion-service asked to wait); 0 = none. */
    private final AtomicLong backOffUntil = new AtomicLong();
    /** Whether the last answer was a version mismatch: logged as an error once, not at every frame. */
    private final AtomicBoolean mismatchReported = new AtomicBoolean();

    public EmotionClient(
            CameraProperties properties,
            ModelFraming model,
            HttpClients clients,
            CircuitBreakerRegistry breakers,
            TimeLimiterRegistry timeLimiters) {
        this.model = model;
        this.breaker = breakers.circuitBreaker(NAME);
        this.timeLimiter = timeLimiters.timeLimiter(NAME);
        this.timeout = timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
        this.client =
                clients.webClient(HttpClientSettings.of(properties.emotion().url(), timeout, DataSize.ofMegabytes(1)));
        breaker.getEventPublisher()
                .onStateTransition(event -> log.info("{} circuit breaker: {}", NAME, event.getStateTransition()));
    }

    /**
     * Predictions in crop order, or empty when emotion-service could not answer.
     *
     * @param background whether no frame waits for the answer (a stream's label refresh): sent as RFC 9218 {@value
     *                   #BACKGROUND_PRIORITY}, less urgent than the default, which emotion-service runs behind the
     *                   requests that frames wait for
     */
    public Mono<Optional<List<EmotionPrediction>>> classify(List<byte[]> pngCrops, boolean background) {
        if (pngCrops.isEmpty()) {
            return Mono.just(Optional.of(List.of()));
        }
        long until = backOffUntil.get();
        if (until != 0 && System.nanoTime() - until < 0) {
            return Mono.just(Optional.empty());
        }
        MultipartBody body = new MultipartBody();
        for (int i = 0; i < pngCrops.size(); i++) {
            body.part("image", "face-" + i + ".png", MediaType.IMAGE_PNG, pngCrops.get(i));
        }
        // the model the faces were framed for: emotion-service answers 409 when it serves another version of it
        return client.post()
                .uri(uri -> uri.path("/api/v1/predictions/batch")
                        .queryParam("model", "{model}")
                        .queryParam("version", "{version}")
                        .build(model.modelId(), model.version()))
                .accept(MediaType.APPLICATION_JSON)
                // the deadline travels with the request: emotion-service sheds work nobody would wait for
                .header("X-Deadline-Ms", Long.toString(timeout.toMillis()))
                .headers(headers -> {
                    if (background) {
                        headers.set(PRIORITY, BACKGROUND_PRIORITY);
                    }
                })
                .contentType(body.contentType())
                .bodyValue(body.toByteArray())
                .retrieve()
                .bodyToMono(LIST)
                .flatMap(list -> list.size() == pngCrops.size()
                        ? Mono.just(list)
                        : Mono.error(new IllegalStateException("emotion-service answered " + list.size()
                                + " predictions for " + pngCrops.size() + " faces")))
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .map(Optional::of)
                .doOnNext(answer -> mismatchReported.set(false))
                .onErrorResume(e -> {
                    if (e instanceof WebClientResponseException r
                            && r.getStatusCode().value() == 503) {
                        backOff(r);
                    }
                    if (e instanceof WebClientResponseException r
                            && r.getStatusCode().value() == 409) {
                        // not a transient failure: frames stay degraded until the two services agree on the model
                        if (!mismatchReported.getAndSet(true)) {
                            log.error(
                                    "emotion-service refuses model {} version {} (the manifest these faces were "
                                            + "framed with, {}): {}; frames are degraded until both services read the same "
                                            + "model directory",
                                    model.modelId(),
                                    model.version(),
                                    model.manifest(),
                                    r.getResponseBodyAsString());
                        } else {
                            log.debug(
                                    "emotion-service still refuses model {} version {}",
                                    model.modelId(),
                                    model.version());
                        }
                    } else if (breaker.getState() == CircuitBreaker.State.OPEN) {
                        log.debug("emotion-service unavailable: {}", e.toString());
                    } else {
                        log.warn("emotion-service call failed ({} faces): {}", pngCrops.size(), e.toString());
                    }
                    return Mono.just(Optional.empty());
                });
    }

    /** Keeps calls away for the Retry-After (seconds) of a 503, at most {@link #MAX_BACK_OFF}. */
    private void backOff(WebClientResponseException refusal) {
        String retryAfter = refusal.getHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (retryAfter == null || !retryAfter.trim().matches("\\d{1,6}")) {
            return;
        }
        Duration wait = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
        if (wait.isZero()) {
            return;
        }
        if (wait.compareTo(MAX_BACK_OFF) > 0) {
            wait = MAX_BACK_OFF;
        }
        backOffUntil.set(System.nanoTime() + wait.toNanos());
        log.debug("emotion-service sheds load: no calls for {}", wait);
    }

    /** The circuit breaker's state (CLOSED, OPEN, HALF_OPEN), for health and tests. */
    public String breakerState() {
        return breaker.getState().name();
    }
}
