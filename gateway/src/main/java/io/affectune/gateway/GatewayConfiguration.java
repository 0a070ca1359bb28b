package io.affectune.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.gateway.affinity.CameraInstanceGatewayFilterFactory;
import io.affectune.gateway.health.DownstreamHealthIndicator;
import io.affectune.gateway.health.PublicHealth;
import io.affectune.gateway.origin.ForwardedOrigin;
import io.affectune.gateway.problem.DownstreamProblems;
import io.affectune.gateway.problem.WebSocketAvailability;
import io.affectune.gateway.ratelimit.ClientRateLimiter;
import io.affectune.gateway.ratelimit.RateLimitFilter;
import io.affectune.gateway.security.SecurityHeadersFilter;
import io.affectune.gateway.sizelimit.RequestSizeLimitFilter;
import io.affectune.support.problem.ProblemResolver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.CompositeReactiveHealthContributor;
import org.springframework.boot.actuate.health.ReactiveHealthContributor;
import org.springframework.boot.actuate.health.ReactiveHealthEndpointWebExtension;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    @Bean
    SecurityHeadersFilter securityHeadersFilter() {
        return new SecurityHeadersFilter();
    }

    /** Cross-origin access only for the origins listed in CORS_ALLOWED_ORIGINS; none by default. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 1)
    CorsWebFilter corsWebFilter(GatewaySettings settings) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        List<String> origins = settings.corsAllowedOrigins().stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        if (!origins.isEmpty()) {
            CorsConfiguration cors = new CorsConfiguration();
            cors.setAllowedOriginPatterns(origins);
            cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
            cors.setAllowedHeaders(List.of("*"));
            cors.setExposedHeaders(List.of("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "Location"));
            cors.setMaxAge(3600L);
            source.registerCorsConfiguration("/**", cors);
        }
        return new CorsWebFilter(source);
    }

    @Bean
    ClientRateLimiter clientRateLimiter(GatewaySettings settings) {
        return new ClientRateLimiter(settings.rateLimit());
    }

    @Bean
    @ConditionalOnProperty(name = "affectune.gateway.rate-limit.enabled", matchIfMissing = true)
    RateLimitFilter rateLimitFilter(
            ClientRateLimiter limiter,
            MeterRegistry meters,
            ProblemResolver answers,
            ObjectMapper json,
            GatewaySettings settings) {
        return new RateLimitFilter(
                limiter, meters, answers, json, settings.maxRequestSize().toBytes());
    }

    @Bean
    RequestSizeLimitFilter requestSizeLimitFilter(GatewaySettings settings) {
        return new RequestSizeLimitFilter(settings.maxRequestSize());
    }

    @Bean
    DownstreamProblems downstreamProblems() {
        return new DownstreamProblems();
    }

    /** A WebSocket to a service that is down: 503 problem+json before the upgrade, not an upgrade that drops. */
    @Bean
    WebSocketAvailability webSocketAvailability(
            @Value("${spring.cloud.gateway.server.webflux.httpclient.connect-timeout:2000}")
                    long connectTimeoutMillis) {
        return new WebSocketAvailability(Duration.ofMillis(connectTimeoutMillis));
    }

    /** {@code CameraInstance} on the camera-service-session route: a session's requests go to the instance that holds it. */
    @Bean
    CameraInstanceGatewayFilterFactory cameraInstanceGatewayFilterFactory(GatewaySettings settings) {
        return new CameraInstanceGatewayFilterFactory(
                settings.cameraInstances().url(), settings.cameraInstances().names());
    }

    /** X-Forwarded-Host/-Proto from the request as it reached the gateway: camera-service's same-origin check. */
    @Bean
    ForwardedOrigin forwardedOrigin() {
        return new ForwardedOrigin();
    }

    /** /actuator/health (statuses only) on the public port; the rest of the actuator is on the management port. */
    @Bean
    RouterFunction<ServerResponse> publicHealth(ReactiveHealthEndpointWebExtension health) {
        return PublicHealth.routes(health);
    }

    /** Shows up in /actuator/health as components.downstream.components.{emotion,playlist,camera}-service. */
    @Bean
    ReactiveHealthContributor downstream(GatewaySettings settings) {
        // a plain client: Boot's instrumented builder would register http.client.requests with tags that
        // clash with the gateway's own observations of the same name
        WebClient.Builder webClients = WebClient.builder();
        Map<String, DownstreamHealthIndicator> services = new LinkedHashMap<>();
        services.put(
                "emotion-service",
                new DownstreamHealthIndicator(
                        settings.emotionServiceUrl(), webClients.clone(), settings.healthTimeout()));
        services.put(
                "playlist-service",
                new DownstreamHealthIndicator(
                        settings.playlistServiceUrl(), webClients.clone(), settings.healthTimeout()));
        services.put(
                "camera-service",
                new DownstreamHealthIndicator(
                        settings.cameraServiceUrl(), webClients.clone(), settings.healthTimeout()));
        return CompositeReactiveHealthContributor.fromMap(services);
    }
}
