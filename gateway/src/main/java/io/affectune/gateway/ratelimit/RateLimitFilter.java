package io.affectune.gateway.ratelimit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.reactive.ProblemWebExceptionHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
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
    private final ProblemResolver answers;
    private final ObjectMapper json;
    private final long maxDrainBytes;

    public RateLimitFilter(ClientRateLimiter limiter, MeterRegistry meters) {
        this(limiter, meters, null, null, 0);
    }

    /**
     * @param answers       writes the 429 of a request with a body once that body is read (null: answer at once)
     * @param maxDrainBytes most body bytes read before answering; a longer body: answered and closed
     */
    public RateLimitFilter(
            ClientRateLimiter limiter,
            MeterRegistry meters,
            ProblemResolver answers,
            ObjectMapper json,
            long maxDrainBytes) {
        this.limiter = limiter;
        this.answers = answers;
        this.json = json;
        this.maxDrainBytes = maxDrainBytes;
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
        ApiProblem tooMany = new ApiProblem(
                        HttpStatus.TOO_MANY_REQUESTS,
                        "Too many requests",
                        "This client sent more requests than the gateway allows. Wait " + retryAfterSeconds
                                + " s before retrying.")
                .retryAfter(decision.retryAfter())
                .with("retryAfterSeconds", retryAfterSeconds);
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        boolean hasBody = headers.getContentLength() > 0 || headers.containsKey(HttpHeaders.TRANSFER_ENCODING);
        if (!hasBody || answers == null || headers.getContentLength() > maxDrainBytes) {
            return Mono.error(tooMany);
        }
        // Answering before the body has arrived, and then closing (the small-body rule), lets the rest of the body
        // reach a closed socket: the kernel resets the connection and the client may lose the 429 it had already
        // been sent. Read the body first (at most MAX_REQUEST_SIZE, which the gateway would read anyway), then
        // answer on a connection that stays open: nothing is left unread on it.
        long[] seen = {0};
        return request.getBody()
                .doOnNext(buffer -> {
                    seen[0] += buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                })
                .takeUntil(buffer -> seen[0] > maxDrainBytes)
                .then(Mono.defer(() -> {
                    ProblemResolver.Answer answer = answers.resolve(
                            tooMany,
                            request.getMethod().name(),
                            request.getPath().value());
                    if (seen[0] > maxDrainBytes) {
                        exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
                        return ProblemWebExceptionHandler.write(exchange, json, answer);
                    }
                    // the body is read: no reason to close (the write rule looks at the declared length)
                    ServerWebExchange drained = exchange.mutate()
                            .request(r -> r.headers(h -> {
                                h.remove(HttpHeaders.CONTENT_LENGTH);
                                h.remove(HttpHeaders.TRANSFER_ENCODING);
                            }))
                            .build();
                    return ProblemWebExceptionHandler.write(drained, json, answer);
                }));
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
