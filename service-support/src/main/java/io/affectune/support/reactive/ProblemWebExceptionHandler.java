package io.affectune.support.reactive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.problem.Problems;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.boot.web.reactive.error.ErrorWebExceptionHandler;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * Every failure of a WebFlux service (camera, emotion, gateway) answered as problem+json: from controllers,
 * filters, codecs and the gateway's proxying alike, since none of them handles its own errors. Runs before
 * Spring Boot's default handler, which would answer in its own JSON shape.
 */
public class ProblemWebExceptionHandler implements ErrorWebExceptionHandler {

    private final ProblemResolver resolver;
    private final ObjectMapper json;

    public ProblemWebExceptionHandler(ProblemResolver resolver, ObjectMapper json) {
        this.resolver = resolver;
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        ProblemResolver.Answer answer = resolver.resolve(
                firstOf(error),
                exchange.getRequest().getMethod().name(),
                exchange.getRequest().getPath().value());
        if (!Problems.closeAfterRefusal(
                answer.status(), exchange.getRequest().getHeaders().getContentLength())) {
            return write(exchange, json, answer, false);
        }
        // A small body refused before it was read: read the rest of it first, then answer on a connection that
        // stays usable. Answering and closing instead lets the rest of the body reach a closed socket, and the
        // kernel's reset can destroy the answer before the client (or the gateway, which then says 502) reads it.
        // A body that was already read cannot be read again: then the connection is closed after the answer.
        boolean[] drained = {false};
        return exchange.getRequest()
                .getBody()
                .doOnNext(DataBufferUtils::release)
                .then(Mono.fromRunnable(() -> drained[0] = true))
                .onErrorResume(unreadable -> Mono.empty())
                .then(Mono.defer(() -> write(exchange, json, answer, !drained[0])));
    }

    /** Writes an answer; also for filters that stop a request themselves (small-body rule: {@link Problems}). */
    public static Mono<Void> write(ServerWebExchange exchange, ObjectMapper json, ProblemResolver.Answer answer) {
        return write(
                exchange,
                json,
                answer,
                Problems.closeAfterRefusal(
                        answer.status(), exchange.getRequest().getHeaders().getContentLength()));
    }

    private static Mono<Void> write(
            ServerWebExchange exchange, ObjectMapper json, ProblemResolver.Answer answer, boolean close) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(answer.body());
        } catch (JsonProcessingException e) {
            bytes = ("{\"status\":" + answer.body().getStatus() + "}").getBytes(StandardCharsets.UTF_8);
        }
        response.setStatusCode(answer.status());
        HttpHeaders headers = response.getHeaders();
        headers.addAll(answer.headers());
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(bytes.length);
        if (close) {
            headers.set(HttpHeaders.CONNECTION, "close");
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /**
     * The error to answer when several arrived at once: Reactor joins the failures of concurrent inner
     * publishers (e.g. two bad parts of one batch decoded in parallel) into one composite, which names no
     * status of its own. The first client problem among them is answered; otherwise the first failure.
     */
    static Throwable firstOf(Throwable error) {
        if (!Exceptions.isMultiple(error)) {
            return error;
        }
        List<Throwable> all = Exceptions.unwrapMultiple(error);
        return all.stream()
                .filter(t -> ProblemResolver.find(t, ApiProblem.class) != null)
                .findFirst()
                .orElse(all.isEmpty() ? error : all.get(0));
    }
}
