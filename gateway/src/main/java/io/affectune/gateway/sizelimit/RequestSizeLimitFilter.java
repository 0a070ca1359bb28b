package io.affectune.gateway.sizelimit;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.reactive.RequestBodies;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Refuses request bodies above the configured size with 413 problem+json before anything is forwarded.
 * A declared Content-Length is checked up front; a chunked body is counted as it streams and cut off
 * when it passes the limit. Cutting it off also breaks the forwarding to the service (which then sees its
 * request end early, or the connection close): whatever error that forwarding reports, the client is told
 * 413, which is what happened.
 */
public class RequestSizeLimitFilter implements GlobalFilter, Ordered {

    private final DataSize maxSize;

    public RequestSizeLimitFilter(DataSize maxSize) {
        this.maxSize = maxSize;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long limit = maxSize.toBytes();
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > limit) {
            return Mono.error(tooLarge(limit)
                    .detail("The request body is " + declared + " bytes; the gateway accepts " + "at most " + limit
                            + " bytes. Send a smaller image (a JPEG under " + maxSize.toMegabytes() + " MB)."));
        }
        if (declared >= 0) {
            return chain.filter(exchange);
        }
        boolean[] exceeded = {false};
        ServerHttpRequest counted = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return RequestBodies.limit(super.getBody(), limit, max -> {
                    exceeded[0] = true;
                    return tooLarge(max);
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build())
                .onErrorMap(error -> exceeded[0] && !(error instanceof ApiProblem), error -> tooLarge(limit));
    }

    private ApiProblem tooLarge(long limit) {
        return ApiProblem.tooLarge(
                        "Payload too large",
                        "The request body is larger than " + limit
                                + " bytes, the most the gateway accepts. Send a smaller image (a JPEG under "
                                + maxSize.toMegabytes() + " MB).")
                .with("maxBytes", limit);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }
}
