package io.affectune.gateway.affinity;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Session affinity for camera-service. A camera session (its WebSocket, SSE events, MJPEG preview, REST calls) and
 * a server-side source live in one camera-service instance's memory, and the gateway is the single entry in
 * front of all instances, so the gateway has to send every request on a session to the instance that holds it.
 * camera-service names itself in the ids it creates ({@code CAMERA_INSTANCE_ID}: {@code <instance>_<random>});
 * this filter, on the route of {@code /api/v1/sessions/{id}/**} and {@code /api/v1/sources/{id}/**}, sends a
 * request whose id names an allowed instance ({@code CAMERA_INSTANCE_NAMES}) to that instance's URL
 * ({@code CAMERA_INSTANCE_URL}, e.g. {@code http://{instance}.camera-service-headless:8081}: a StatefulSet pod
 * behind a headless Service). Any other id (a UUID, a name a client made up) goes to the route's own URL, the
 * load-balanced camera-service, as does the creation of a session. Nothing is kept in the gateway: any number of
 * gateway replicas route alike.
 *
 * <p>An instance that no longer exists (scaled down, its pod deleted) or does not listen (restarted: its memory,
 * and the session, are gone) is answered as camera-service answers an unknown session: 404 problem+json
 * ({@code unknown-session} / {@code unknown-source}) with the instance's name, so that the client creates a new
 * session. A connect timeout stays the gateway's 503 with Retry-After: the instance may only be slow.
 */
public class CameraInstanceGatewayFilterFactory
        extends AbstractGatewayFilterFactory<CameraInstanceGatewayFilterFactory.Config> {

    private static final Logger log = LoggerFactory.getLogger(CameraInstanceGatewayFilterFactory.class);

    /** After the route's URL is on the exchange (RouteToRequestUrlFilter), before WebSocketAvailability and the routing filters. */
    static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

    private final String urlTemplate;
    private final Pattern names;

    /**
     * @param urlTemplate an instance's base URL with {@code {instance}} for its name; blank = routing by instance off
     * @param names       the instance names ids may route to (a regular expression, whole match)
     */
    public CameraInstanceGatewayFilterFactory(String urlTemplate, String names) {
        super(Config.class);
        this.urlTemplate = urlTemplate == null ? "" : urlTemplate.strip();
        this.names = Pattern.compile(names);
        if (!this.urlTemplate.isEmpty()) {
            if (!this.urlTemplate.contains("{instance}")) {
                throw new IllegalStateException("CAMERA_INSTANCE_URL '" + urlTemplate + "' must contain {instance}");
            }
            if (base("0").isEmpty()) {
                throw new IllegalStateException("CAMERA_INSTANCE_URL '" + urlTemplate
                        + "' must be an http(s) URL with {instance} in its host (or port)");
            }
        }
    }

    /** Nothing to configure per route. */
    public static class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return new OrderedGatewayFilter(
                (exchange, chain) -> {
                    String id = ServerWebExchangeUtils.getUriTemplateVariables(exchange)
                            .get("id");
                    Optional<String> instance = instanceOf(id);
                    URI routed = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
                    if (instance.isEmpty() || routed == null) {
                        return chain.filter(exchange);
                    }
                    Optional<URI> instanceUrl = base(instance.get());
                    if (instanceUrl.isEmpty()) { // a name CAMERA_INSTANCE_NAMES allows but that makes no URL
                        log.warn(
                                "camera-service instance name '{}' makes no URL of {}; sent to the Service",
                                instance.get(),
                                urlTemplate);
                        return chain.filter(exchange);
                    }
                    URI base = instanceUrl.get();
                    URI target = UriComponentsBuilder.fromUri(routed)
                            .scheme(base.getScheme())
                            .host(base.getHost())
                            .port(base.getPort())
                            .build(true)
                            .toUri();
                    exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, target);
                    return chain.filter(exchange)
                            .onErrorMap(
                                    CameraInstanceGatewayFilterFactory::gone,
                                    error -> lost(exchange, id, instance.get(), error));
                },
                ORDER);
    }

    /** The instance an id names, when routing by instance is on and the name is an allowed one. */
    Optional<String> instanceOf(String id) {
        if (urlTemplate.isEmpty() || id == null) {
            return Optional.empty();
        }
        int separator = id.indexOf('_');
        if (separator <= 0) {
            return Optional.empty();
        }
        String instance = id.substring(0, separator);
        return names.matcher(instance).matches() ? Optional.of(instance) : Optional.empty();
    }

    /** The instance's base URL: http(s) with a host; empty if the name makes no such URL. */
    private Optional<URI> base(String instance) {
        try {
            URI base = URI.create(urlTemplate.replace("{instance}", instance));
            boolean web = "http".equals(base.getScheme()) || "https".equals(base.getScheme());
            return web && base.getHost() != null ? Optional.of(base) : Optional.empty();
        } catch (IllegalArgumentException notAUrl) {
            return Optional.empty();
        }
    }

    /** The instance does not exist or does not listen: whatever it held is gone. A timeout is not proof of that. */
    static boolean gone(Throwable error) {
        if (error instanceof ApiProblem || ProblemResolver.find(error, ConnectTimeoutException.class) != null) {
            return false;
        }
        return ProblemResolver.find(error, UnknownHostException.class) != null
                || ProblemResolver.find(error, ConnectException.class) != null
                || ProblemResolver.find(error, NoRouteToHostException.class) != null;
    }

    private static ApiProblem lost(ServerWebExchange exchange, String id, String instance, Throwable error) {
        log.info(
                "camera-service instance {} of '{}' cannot be reached ({}): answered as gone",
                instance,
                id,
                error.toString());
        String why = "the camera-service instance it lived on (" + instance + ") is gone (scaled down, moved or "
                + "restarted), and what it held in memory with it.";
        if (exchange.getRequest().getPath().value().startsWith("/api/v1/sources/")) {
            return new ApiProblem(
                            HttpStatus.NOT_FOUND,
                            "Unknown source",
                            "No source '" + id + "': " + why + " Open the source again.")
                    .with("instance", instance);
        }
        return ApiProblem.notFound("No session '" + id + "': " + why + " Create a new session.")
                .type("unknown-session")
                .with("instance", instance);
    }
}
