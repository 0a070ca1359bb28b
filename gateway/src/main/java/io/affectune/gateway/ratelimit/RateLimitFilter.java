package io.affectune.gateway.ratelimit;

import java.net.InetSocketAddress;

import io.affectune.support.problem.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Applies {@link ClientRateLimiter} to every routed request. Over the limit the client gets
 * 429 with Retry-After (whole seconds, rounded up) and a problem+json body saying when to retry.
 * A WebSocket is one request however many frames it carries.
 */
public class RateLimitFilter implements GlobalFilter, Ordered {

    private final ClientRateLimiter limiter;
    private final Counter rejected;

    public RateLimitFilter(ClientRateLimiter limiter, MeterRegistry meters) {
        this.limiter = limiter;
        this.rejected = Counter.builder("affectune.gateway.rate.limited")
                .description("Requests refused with 429 because the client exceeded its rate limit")
                .register(meters);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ClientRateLimiter.Decision decision = limiter.tryAcquire(clientOf(exchange));
        exchange.getResponse().getHeaders().set("X-RateLimit-Limit", Integer.toString(limiter.limit()));
        exchange.getResponse().getHeaders().set("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
        if (decision.allowed()) {
            return chain.filter(exchange);
        }
        rejected.increment();
        long retryAfterSeconds = Math.max(1, (decision.retryAfter().toMillis() + 999) / 1000);
        return Mono.error(new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
                "This client sent more requests than the gateway allows. Wait " + retryAfterSeconds
                        + " s before retrying.").retryAfter(decision.retryAfter())
                .with("retryAfterSeconds", retryAfterSeconds));
    }

    static String clientOf(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
