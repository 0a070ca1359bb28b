package io.affectune.gateway.security;

import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Security headers on every answer, proxied ones included. The dashboard's policy allows only its own
 * files (no inline script or style), the camera WebSocket of this same host, and the Spotify player
 * iframe. Swagger UI needs inline styles and data: images, so its pages get a slightly wider policy.
 */
public class SecurityHeadersFilter implements WebFilter, Ordered {

    /** Host header values we are willing to echo into the policy; anything else falls back to 'self' only. */
    private static final Pattern SAFE_HOST =
            Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+](:[0-9]{1,5})?");

    static final String SPOTIFY = "https://open.spotify.com";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        String host = exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST);
        String policy = contentSecurityPolicy(host, isSwaggerUi(path));
        exchange.getResponse().beforeCommit(() -> {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            headers.set("Content-Security-Policy", policy);
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("X-Frame-Options", "DENY");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()");
            headers.set("Cross-Origin-Opener-Policy", "same-origin");
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    static String contentSecurityPolicy(String host, boolean swaggerUi) {
        String webSockets = host != null && SAFE_HOST.matcher(host).matches() ? " ws://" + host + " wss://" + host : "";
        return "default-src 'self'; "
                + "script-src 'self'; "
                + (swaggerUi ? "style-src 'self' 'unsafe-inline'; " : "style-src 'self'; ")
                + "img-src 'self' data: blob:; "
                + "media-src 'self' blob: mediastream:; "
                + "connect-src 'self'" + webSockets + "; "
                + "frame-src " + SPOTIFY + "; "
                + "font-src 'self'; "
                + "object-src 'none'; "
                + "base-uri 'self'; "
                + "form-action 'self'; "
                + "frame-ancestors 'none'";
    }

    private static boolean isSwaggerUi(String path) {
        return path.startsWith("/swagger-ui") || path.startsWith("/webjars/");
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
