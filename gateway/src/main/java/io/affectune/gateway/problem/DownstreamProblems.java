package io.affectune.gateway.problem;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

/**
 * Names the service in the gateway's own failures to reach it, which only the exchange knows (its route):
 * a service that cannot be reached becomes 503 with Retry-After, so clients know to try again rather than to
 * fix their request; one that hangs up or resets the connection becomes 502, one that is too slow 504. The shared problem handler
 * writes them. Answers a service gives are not failures here: they travel through unchanged.
 */
public class DownstreamProblems implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(DownstreamProblems.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange).onErrorMap(error -> !(error instanceof ApiProblem), error -> {
            ApiProblem problem = of(exchange, error);
            return problem != null ? problem : error;
        });
    }

    static ApiProblem of(ServerWebExchange exchange, Throwable error) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        // a route may name its service in its metadata (several routes to camera-service), else its id is the name
        String service = route == null
                ? "the service"
                : String.valueOf(route.getMetadata().getOrDefault("service", route.getId()));
        if (ProblemResolver.find(error, ConnectException.class) != null
                || ProblemResolver.find(error, UnknownHostException.class) != null
                || ProblemResolver.find(error, NoRouteToHostException.class) != null) {
            log.warn("{} is unreachable at {}: {}", service, route != null ? route.getUri() : "?", error.toString());
            return ApiProblem.unavailable(
                            "Service unavailable",
                            service
                                    + " cannot be reached right now (it may be starting or down). Try again in a few seconds.",
                            RETRY_AFTER)
                    .with("service", service);
        }
        // a connection reset (the service died mid-request) is an IOException, as is any broken exchange with it
        if (ProblemResolver.find(error, PrematureCloseException.class) != null
                || ProblemResolver.find(error, IOException.class) != null) {
            return new ApiProblem(
                            HttpStatus.BAD_GATEWAY,
                            "Bad gateway",
                            service + " closed the connection before answering. Try again.")
                    .with("service", service);
        }
        ResponseStatusException status = ProblemResolver.find(error, ResponseStatusException.class);
        if (status != null && status.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value()) {
            return new ApiProblem(
                            HttpStatus.GATEWAY_TIMEOUT,
                            "Gateway timeout",
                            service + " did not answer in time. Try again.")
                    .with("service", service);
        }
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
