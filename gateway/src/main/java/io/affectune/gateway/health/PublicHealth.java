package io.affectune.gateway.health;

import io.affectune.support.problem.ApiProblem;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.ReactiveHealthEndpointWebExtension;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The one actuator view on the gateway's public port: {@code /actuator/health} and its {@code liveness} and
 * {@code readiness} groups, statuses only (the overall one and each component's, which the dashboard shows),
 * never details. Everything else of the actuator (metrics, Prometheus, details) is on the management port
 * (GATEWAY_MANAGEMENT_PORT), which is not the gateway's public port.
 */
public final class PublicHealth {

    static final Set<String> GROUPS = Set.of("liveness", "readiness");

    private PublicHealth() {}

    public static RouterFunction<ServerResponse> routes(ReactiveHealthEndpointWebExtension health) {
        return RouterFunctions.route()
                .GET("/actuator/health", request -> answer(health))
                .GET(
                        "/actuator/health/{group}",
                        request -> GROUPS.contains(request.pathVariable("group"))
                                ? answer(health, request.pathVariable("group"))
                                : Mono.error(ApiProblem.notFound("Nothing at " + request.path() + " on this port.")))
                .build();
    }

    private static Mono<ServerResponse> answer(ReactiveHealthEndpointWebExtension health, String... path) {
        return health.health(ApiVersion.LATEST, WebServerNamespace.MANAGEMENT, SecurityContext.NONE, true, path)
                .flatMap(response -> ServerResponse.status(response.getStatus())
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(response.getBody() == null ? Map.of() : statusesOnly(response.getBody())));
    }

    /** {"status": ..., "components": {name: {"status": ...}}}, recursively; no details of any component. */
    static Map<String, Object> statusesOnly(HealthComponent component) {
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("status", component.getStatus().getCode());
        if (component instanceof CompositeHealth composite && composite.getComponents() != null) {
            Map<String, Object> components = new LinkedHashMap<>();
            composite.getComponents().forEach((name, child) -> components.put(name, statusesOnly(child)));
            plain.put("components", components);
        }
        return plain;
    }
}
