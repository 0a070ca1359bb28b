package io.affectune.camera.stream;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.Problems;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Cross-site WebSocket hijacking and cross-site session creation: a page on another site can open a WebSocket to
 * this service (browsers do not apply CORS to WebSockets) or POST a form to it. Browsers always name the page's
 * origin in the Origin header of both, so both are refused with 403 problem+json, before any upgrade, when an
 * Origin is present and is neither allowed (ALLOWED_ORIGINS; default the gateway's own origins,
 * http://localhost:8080 and http://127.0.0.1:8080) nor the request's own origin: its scheme://host[:port], or the
 * one the gateway forwarded (X-Forwarded-Proto + X-Forwarded-Host, from a loopback or private-network peer). No Origin at all (scripts, other services) is
 * not a browser and is let through.
 */
@Component
public class OriginCheck implements WebFilter, Ordered {

    private static final AntPathMatcher PATHS = new AntPathMatcher();

    private final Set<String> allowed;

    public OriginCheck(
            @Value("${camera.allowed-origins:${ALLOWED_ORIGINS:http://localhost:8080,http://127.0.0.1:8080}}")
                    String allowedOrigins) {
        this.allowed = Arrays.stream(allowedOrigins.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(OriginCheck::normalise)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String origin = request.getHeaders().getOrigin();
        if (origin == null || !guarded(request) || isAllowed(origin, request)) {
            return chain.filter(exchange);
        }
        return Mono.error(new ApiProblem(
                        HttpStatus.FORBIDDEN,
                        "Origin not allowed",
                        "Pages from " + Problems.quote(origin) + " may not open camera sessions or streams here; "
                                + "use the dashboard through the gateway, or add the origin to ALLOWED_ORIGINS.")
                .type("origin-not-allowed"));
    }

    /** POST /api/v1/sessions, and WebSocket upgrades of /api/v1/sessions/{id}/stream. */
    static boolean guarded(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        if (HttpMethod.POST.equals(request.getMethod())) {
            return path.equals("/api/v1/sessions") || path.equals("/api/v1/sessions/");
        }
        return PATHS.match("/api/v1/sessions/*/stream", path);
    }

    boolean isAllowed(String origin, ServerHttpRequest request) {
        String candidate = normalise(origin);
        if (allowed.contains(candidate)) {
            return true;
        }
        URI own = request.getURI();
        if (candidate.equals(normalise(own.getScheme() + "://" + own.getRawAuthority()))) {
            return true;
        }
        HttpHeaders headers = request.getHeaders();
        String forwardedHost = headers.getFirst("X-Forwarded-Host");
        if (forwardedHost != null && fromOwnNetwork(request)) {
            String proto = headers.getFirst("X-Forwarded-Proto");
            String scheme = proto == null ? own.getScheme() : proto.split(",", 2)[0].trim();
            for (String host : forwardedHost.split(",")) {
                if (candidate.equals(normalise(scheme + "://" + host.trim()))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The gateway or a proxy of the same deployment (loopback, private network), as ClientAddress trusts them. */
    private static boolean fromOwnNetwork(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        InetAddress peer = remote == null ? null : remote.getAddress();
        return peer != null && (peer.isLoopbackAddress() || peer.isSiteLocalAddress());
    }

    /** Lower case; ws/wss as http/https; the scheme's default port left out; no trailing slash. */
    static String normalise(String origin) {
        String value = origin.trim().toLowerCase(Locale.ROOT);
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        value = value.replaceFirst("^ws://", "http://").replaceFirst("^wss://", "https://");
        if (value.startsWith("http://") && value.endsWith(":80")) {
            value = value.substring(0, value.length() - 3);
        } else if (value.startsWith("https://") && value.endsWith(":443")) {
            value = value.substring(0, value.length() - 4);
        }
        return value;
    }

    /** Before the WebSocket handler mapping and the controllers see the request. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 50;
    }
}
