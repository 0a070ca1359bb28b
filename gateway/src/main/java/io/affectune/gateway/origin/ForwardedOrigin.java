package io.affectune.gateway.origin;

import java.net.InetSocketAddress;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells the services which origin the browser sees: {@code X-Forwarded-Host} (the Host the client sent to the
 * gateway) and {@code X-Forwarded-Proto} (http or https), on every forwarded request, WebSocket upgrades included.
 * camera-service compares a request's Origin with them (same-origin pages may open sessions). Spring Cloud Gateway
 * itself strips X-Forwarded-* from clients it does not trust (all, unless trusted proxies are configured) and adds
 * none; these are set from the request as it reached the gateway, so a client cannot choose them other than by
 * choosing the Host it connects to, which a browser does not let a page do. {@code X-Forwarded-For} is the
 * client's address as the gateway sees it (the one its own rate limit counts by), so that camera-service's
 * per-client session limit counts clients, not the gateway; a value the client sent is replaced.
 */
public class ForwardedOrigin implements HttpHeadersFilter, Ordered {

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(input);
        String host = exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST);
        headers.remove("X-Forwarded-Host");
        headers.remove("X-Forwarded-Proto");
        headers.remove("X-Forwarded-For");
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote != null && remote.getAddress() != null) {
            headers.set("X-Forwarded-For", remote.getAddress().getHostAddress());
        }
        if (host != null && !host.isBlank()) {
            headers.set("X-Forwarded-Host", host.trim());
            String scheme = exchange.getRequest().getURI().getScheme();
            headers.set(
                    "X-Forwarded-Proto",
                    "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? "https" : "http");
        }
        return headers;
    }

    /** After Spring Cloud Gateway's own header filters, which remove untrusted X-Forwarded-* headers. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
