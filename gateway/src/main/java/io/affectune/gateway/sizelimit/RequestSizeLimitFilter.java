package io.affectune.gateway.sizelimit;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.gateway.problem.ProblemResponses;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Refuses request bodies above the configured size with 413 problem+json before anything is forwarded.
 * A declared Content-Length is checked up front; a chunked body is counted as it streams and cut off
 * when it passes the limit.
 */
public class RequestSizeLimitFilter implements GlobalFilter, Ordered {

    private final DataSize maxSize;
    private final ObjectMapper json;

    public RequestSizeLimitFilter(DataSize maxSize, ObjectMapper json) {
        this.maxSize = maxSize;
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long limit = maxSize.toBytes();
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > limit) {
            exchange.getResponse().getHeaders().setConnection("close");
            return ProblemResponses.write(exchange, json, HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large",
                    "The request body is " + declared + " bytes; the gateway accepts at most " + limit
                            + " bytes. Send a smaller image (a JPEG under " + maxSize.toMegabytes() + " MB).",
                    Map.of("maxBytes", limit));
        }
        if (declared >= 0) {
            return chain.filter(exchange);
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                long[] seen = {0};
                return super.getBody().handle((buffer, sink) -> {
                    seen[0] += buffer.readableByteCount();
                    if (seen[0] > limit) {
                        org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                        sink.error(new DataBufferLimitException("Request body exceeds " + limit + " bytes"));
                    } else {
                        sink.next(buffer);
                    }
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }
}
