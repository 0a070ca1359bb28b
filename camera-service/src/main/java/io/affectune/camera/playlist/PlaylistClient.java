package io.affectune.camera.playlist;

import com.fasterxml.jackson.databind.JsonNode;
import io.affectune.camera.config.CameraProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/** Fetches a mood playlist from playlist-service; the playlist JSON is passed through as is. */
@Component
public class PlaylistClient {

    private static final Logger log = LoggerFactory.getLogger(PlaylistClient.class);
    public static final String LISTENER_HEADER = "X-Listener-Id";

    private final WebClient client;
    private final Duration timeout;
    private final int limit;
    private final CircuitBreaker breaker;

    public PlaylistClient(CameraProperties properties, WebClient.Builder builder) {
        CameraProperties.Playlist settings = properties.playlist();
        this.timeout = settings.timeout();
        this.limit = settings.limit();
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(settings.timeout().toMillis(), 2000))
                .responseTimeout(settings.timeout());
        this.client = builder.clone().baseUrl(settings.url())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(2 * 1024 * 1024))
                .build();
        this.breaker = CircuitBreaker.of("playlist-service", CircuitBreakerConfig.custom()
                .slidingWindowSize(10).minimumNumberOfCalls(3)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
    }

    public Mono<Optional<JsonNode>> playlist(String emotion, Collection<String> excludeTrackIds) {
        return playlist(emotion, excludeTrackIds, Optional.empty());
    }

    /** With a listener id (X-Listener-Id of the caller, already checked to be a UUID): their personal playlist. */
    public Mono<Optional<JsonNode>> playlist(String emotion, Collection<String> excludeTrackIds, Optional<String> listenerId) {
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
                .bodyToMono(JsonNode.class)
                .timeout(timeout)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .map(Optional::of)
                .onErrorResume(e -> {
                    log.warn("playlist-service could not give a {} playlist: {}", emotion, e.toString());
                    return Mono.just(Optional.empty());
                });
    }
}
