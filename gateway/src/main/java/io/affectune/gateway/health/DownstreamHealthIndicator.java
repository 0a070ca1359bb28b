package io.affectune.gateway.health;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.ReactiveHealthIndicator;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** Asks one downstream service for its own /actuator/health; unreachable or slow counts as DOWN. */
public class DownstreamHealthIndicator implements ReactiveHealthIndicator {

    private final URI baseUrl;
    private final WebClient client;
    private final Duration timeout;

    public DownstreamHealthIndicator(URI baseUrl, WebClient.Builder builder, Duration timeout) {
        this.baseUrl = baseUrl;
        this.client = builder.baseUrl(baseUrl.toString()).build();
        this.timeout = timeout;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mono<Health> health() {
        long started = System.nanoTime();
        return client.get()
                .uri("/actuator/health")
                .exchangeToMono(response -> response.bodyToMono(Map.class)
                        .defaultIfEmpty(Map.of())
                        .map(body -> {
                            Object status = ((Map<String, Object>) body).getOrDefault("status", "UNKNOWN");
                            Health.Builder health = response.statusCode().is2xxSuccessful() && "UP".equals(status)
                                    ? Health.up()
                                    : Health.down();
                            return health.withDetail("url", baseUrl.toString())
                                    .withDetail("status", String.valueOf(status))
                                    .withDetail("latencyMs", (System.nanoTime() - started) / 1_000_000)
                                    .build();
                        }))
                .timeout(timeout)
                .onErrorResume(error -> Mono.just(Health.down()
                        .withDetail("url", baseUrl.toString())
                        .withDetail(
                                "error",
                                error.getClass().getSimpleName()
                                        + (error.getMessage() != null ? ": " + error.getMessage() : ""))
                        .build()));
    }
}
