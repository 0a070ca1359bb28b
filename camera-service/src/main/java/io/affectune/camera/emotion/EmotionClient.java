package io.affectune.camera.emotion;

import io.affectune.camera.config.CameraProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Classifies all faces of one frame with one call to emotion-service, naming the model id and version the faces
 * were framed for ({@code ?model=&version=}); a version mismatch (409) is logged as an error and the frame is
 * degraded, never classified by another model silently. Failures (down, slow, 5xx) are
 * answered with an empty result so that frames still flow, flagged as degraded; the circuit breaker
 * stops hammering a dead service and probes it again after {@code breakerWait}, which is how the
 * service recovers by itself.
 */
@Component
public class EmotionClient {

    private static final Logger log = LoggerFactory.getLogger(EmotionClient.class);
    private static final ParameterizedTypeReference<List<EmotionPrediction>> LIST = new ParameterizedTypeReference<>() {
    };

    private final WebClient client;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final ModelFraming model;
    /** Whether the last answer was a version mismatch: logged as an error once, not at every frame. */
    private final AtomicBoolean mismatchReported = new AtomicBoolean();

    public EmotionClient(CameraProperties properties, ModelFraming model, WebClient.Builder builder) {
        CameraProperties.Emotion settings = properties.emotion();
        this.model = model;
        this.timeout = settings.timeout();
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(settings.timeout().toMillis(), 2000))
                .responseTimeout(settings.timeout());
        this.client = builder.clone()
                .baseUrl(settings.url())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(1024 * 1024))
                .build();
        this.breaker = CircuitBreaker.of("emotion-service", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.breakerWindow())
                .minimumNumberOfCalls(settings.breakerMinCalls())
                .failureRateThreshold(settings.breakerFailureRate())
                .waitDurationInOpenState(settings.breakerWait())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .ignoreException(e -> e instanceof WebClientResponseException r && r.getStatusCode().is4xxClientError())
                .build());
        breaker.getEventPublisher().onStateTransition(event ->
                log.info("emotion-service circuit breaker: {}", event.getStateTransition()));
    }

    /** Predictions in crop order, or empty when emotion-service could not answer. */
    public Mono<Optional<List<EmotionPrediction>>> classify(List<byte[]> pngCrops) {
        if (pngCrops.isEmpty()) {
            return Mono.just(Optional.of(List.of()));
        }
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        for (int i = 0; i < pngCrops.size(); i++) {
            String name = "face-" + i + ".png";
            body.part("image", new ByteArrayResource(pngCrops.get(i)) {
                @Override
                public String getFilename() {
                    return name;
                }
            }).contentType(MediaType.IMAGE_PNG);
        }
        // the model the faces were framed for: emotion-service answers 409 when it serves another version of it
        return client.post().uri(uri -> uri.path("/api/v1/predictions/batch")
                        .queryParam("model", "{model}").queryParam("version", "{version}")
                        .build(model.modelId(), model.version()))
                .accept(MediaType.APPLICATION_JSON)
                // the deadline travels with the request: emotion-service sheds work nobody would wait for
                .header("X-Deadline-Ms", Long.toString(timeout.toMillis()))
                .body(BodyInserters.fromMultipartData(body.build()))
                .retrieve()
                .bodyToMono(LIST)
                .timeout(timeout)
                .flatMap(list -> list.size() == pngCrops.size() ? Mono.just(list)
                        : Mono.error(new IllegalStateException("emotion-service answered " + list.size()
                        + " predictions for " + pngCrops.size() + " faces")))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .map(Optional::of)
                .doOnNext(answer -> mismatchReported.set(false))
                .onErrorResume(e -> {
                    if (e instanceof WebClientResponseException r && r.getStatusCode().value() == 409) {
                        // not a transient failure: frames stay degraded until the two services agree on the model
                        if (!mismatchReported.getAndSet(true)) {
                            log.error("emotion-service refuses model {} version {} (the manifest these faces were "
                                    + "framed with, {}): {}; frames are degraded until both services read the same "
                                    + "model directory", model.modelId(), model.version(), model.manifest(),
                                    r.getResponseBodyAsString());
                        } else {
                            log.debug("emotion-service still refuses model {} version {}", model.modelId(),
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

    public String breakerState() {
        return breaker.getState().name();
    }
}
