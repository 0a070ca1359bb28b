package io.affectune.camera.playlist;

import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.session.Playlist;
import io.affectune.support.client.HttpClientSettings;
import io.affectune.support.client.HttpClients;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Fetches a mood playlist from playlist-service ({@code GET /api/v1/playlists/{emotion}}, idempotent). The
 * Resilience4j instances named {@value #NAME} (application.yml) bound it: a time limit per attempt, a circuit
 * breaker, and one retry of a 5xx or a refused connection. Any failure is answered with an empty result: the
 * session asks again after {@code PLAYLIST_RETRY_AFTER}, a frame is answered without a playlist.
 */
@Component
public class PlaylistClient {

    /** The Resilience4j instance name (circuit breaker, time limiter, retry). */
    public static final String NAME = "playlist-service";

    public static final String LISTENER_HEADER = "X-Listener-Id";
    private static final Logger log = LoggerFactory.getLogger(PlaylistClient.class);

    private final WebClient client;
    private final int limit;
    private final CircuitBreaker breaker;
    private final TimeLimiter timeLimiter;
    private final Retry retry;

    public PlaylistClient(
            CameraProperties properties,
            HttpClients clients,
            CircuitBreakerRegistry breakers,
            TimeLimiterRegistry timeLimiters,
            RetryRegistry retries) {
        CameraProperties.Playlist settings = properties.playlist();
        this.limit = settings.limit();
        this.breaker = breakers.circuitBreaker(NAME);
        this.timeLimiter = timeLimiters.timeLimiter(NAME);
        this.retry = retries.retry(NAME);
        Duration timeout = timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
        this.client = clients.webClient(HttpClientSettings.of(settings.url(), timeout, DataSize.ofMegabytes(2)));
        breaker.getEventPublisher()
                .onStateTransition(event -> log.info("{} circuit breaker: {}", NAME, event.getStateTransition()));
    }

    public Mono<Optional<Playlist>> playlist(String emotion, Collection<String> excludeTrackIds) {
        return playlist(emotion, excludeTrackIds, Optional.empty());
    }

    /** With a listener id (X-Listener-Id of the caller, already checked to be a UUID): their personal playlist. */
    public Mono<Optional<Playlist>> playlist(
            String emotion, Collection<String> excludeTrackIds, Optional<String> listenerId) {
        return client.get()
                .uri(b -> {
                    b.path("/api/v1/playlists/{emotion}").queryParam("limit", limit);
                    if (!excludeTrackIds.isEmpty()) {
                        b.queryParam("exclude", String.join(",", excludeTrackIds));
                    }
                    return b.build(emotion);
                })
                .accept(MediaType.APPLICATION_JSON)
                .headers(h -> listenerId.ifPresent(id -> h.set(LISTENER_HEADER, id)))
                .retrieve()
                .bodyToMono(Playlist.class)
                .flatMap(playlist -> wellFormed(playlist, emotion)
                        ? Mono.just(playlist)
                        : Mono.error(new IllegalStateException("playlist-service answered a playlist without "
                                + "tracks or for another emotion (" + playlist.emotion() + ")")))
                // Resilience4j's order: retry around the breaker around the time limit of one attempt
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .transformDeferred(RetryOperator.of(retry))
                .map(Optional::of)
                .onErrorResume(e -> {
                    if (breaker.getState() == CircuitBreaker.State.OPEN) {
                        log.debug("playlist-service unavailable: {}", e.toString());
                    } else {
                        log.warn("playlist-service could not give a {} playlist: {}", emotion, e.toString());
                    }
                    return Mono.just(Optional.empty());
                });
    }

    private static boolean wellFormed(Playlist playlist, String emotion) {
        return playlist.tracks() != null && emotion.equalsIgnoreCase(playlist.emotion());
    }

    /** The circuit breaker's state (CLOSED, OPEN, HALF_OPEN), for health and tests. */
    public String breakerState() {
        return breaker.getState().name();
    }
}
