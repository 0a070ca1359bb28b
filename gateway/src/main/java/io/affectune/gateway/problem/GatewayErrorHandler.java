package io.affectune.gateway.problem;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.reactive.error.ErrorWebExceptionHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

/**
 * Turns every error the gateway itself raises into application/problem+json. Errors that a service
 * answers with are not errors here: they travel through unchanged. A service that cannot be reached
 * becomes 503 with Retry-After, so clients know to try again rather than to fix their request.
 */
@Component
@Order(-2) // before Spring Boot's default handler (-1)
public class GatewayErrorHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayErrorHandler.class);
    static final String RETRY_AFTER_SECONDS = "5";

    private final ObjectMapper json;

    public GatewayErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        String service = route != null ? route.getId() : "the service";
        if (isUnreachable(error)) {
            log.warn("{} is unreachable at {}: {}", service, route != null ? route.getUri() : "?", error.toString());
            exchange.getResponse().getHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
            return ProblemResponses.write(exchange, json, HttpStatus.SERVICE_UNAVAILABLE,
                    "Service unavailable",
                    service + " cannot be reached right now (it may be starting or down). Try again in a few seconds.",
                    Map.of("service", service));
        }
        if (has(error, PrematureCloseException.class)) {
            return ProblemResponses.write(exchange, json, HttpStatus.BAD_GATEWAY, "Bad gateway",
                    service + " closed the connection before answering. Try again.", Map.of("service", service));
        }
        if (has(error, DataBufferLimitException.class)) {
            return ProblemResponses.write(exchange, json, HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large",
                    "The request body is larger than the gateway accepts.");
        }
        if (error instanceof ResponseStatusException statusError) {
            HttpStatusCode status = statusError.getStatusCode();
            String detail = statusError.getReason() != null ? statusError.getReason() : describe(status);
            if (status.value() == HttpStatus.GATEWAY_TIMEOUT.value()) {
                detail = service + " did not answer in time. Try again.";
            } else if (status.value() == HttpStatus.NOT_FOUND.value()) {
                detail = "Nothing at " + exchange.getRequest().getPath().value() + ". The API lives under /api/v1/.";
            }
            String title = HttpStatus.resolve(status.value()) != null
                    ? HttpStatus.resolve(status.value()).getReasonPhrase() : "Error";
            return ProblemResponses.write(exchange, json, status, title, detail);
        }
        log.error("Unexpected gateway error on {} {}", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath().value(), error);
        return ProblemResponses.write(exchange, json, HttpStatus.INTERNAL_SERVER_ERROR, "Internal Server Error",
                "The gateway failed unexpectedly; the log has the details.");
    }

    private static String describe(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "HTTP " + status.value();
    }

    private static boolean isUnreachable(Throwable error) {
        return has(error, ConnectException.class) || has(error, UnknownHostException.class)
                || has(error, NoRouteToHostException.class);
    }

    private static boolean has(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
