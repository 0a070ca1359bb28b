package io.affectune.camera.web;

import java.net.URI;
import org.springframework.core.io.buffer.DataBufferLimitException;
import io.affectune.camera.session.SessionRefusedException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    /** Also every {@link io.affectune.camera.vision.ImageRejectedException}. */
    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, ServerWebExchange exchange) {
        return problem(e.status(), e.title(), e.getMessage(), exchange);
    }

    /** A Content-Type header that is not a media type at all ("%%%"): the client's mistake, not ours. */
    @ExceptionHandler(InvalidMediaTypeException.class)
    ResponseEntity<ProblemDetail> malformedMediaType(InvalidMediaTypeException e, ServerWebExchange exchange) {
        String raw = String.valueOf(exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE))
                .replaceAll("[^\\x20-\\x7e]", "?");
        return problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Malformed Content-Type",
                "Content-Type '" + (raw.length() > 100 ? raw.substring(0, 100) + "..." : raw) + "' is not a media type: "
                        + "send image/jpeg or image/png (application/json for JSON requests)", exchange);
    }

    @ExceptionHandler(SessionRefusedException.class)
    ResponseEntity<ProblemDetail> sessionRefused(SessionRefusedException e, ServerWebExchange exchange) {
        HttpStatus status = switch (e.reason()) {
            case MALFORMED_ID -> HttpStatus.BAD_REQUEST;
            case CLIENT_RATE -> HttpStatus.TOO_MANY_REQUESTS;
            case FULL -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        String title = switch (e.reason()) {
            case MALFORMED_ID -> "Bad session id";
            case CLIENT_RATE -> "Too many new sessions";
            case FULL -> "No free session";
        };
        ResponseEntity<ProblemDetail> answer = problem(status, title, e.getMessage(), exchange);
        if (e.retryAfter().isZero()) {
            return answer;
        }
        long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)).body(answer.getBody());
    }

    @ExceptionHandler(DataBufferLimitException.class)
    ResponseEntity<ProblemDetail> tooLarge(DataBufferLimitException e, ServerWebExchange exchange) {
        return problem(HttpStatus.PAYLOAD_TOO_LARGE, "Image too large", "The request body is larger than allowed", exchange);
    }

    /**
     * A refusal sent before the request body was read leaves the rest of it on the connection, and
     * Reactor Netty 1.2 can then stop reading a keep-alive connection whose next request was queued
     * behind the refused one (reactor/reactor-netty#4361): such refusals close the connection. Only
     * for small bodies, which have arrived whole: closing while a large upload still arrives would
     * reset the connection before the client reads its 413.
     */
    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                                   HttpStatusCode status, ServerWebExchange exchange) {
        if (mayLeaveBodyUnread(exchange)) {
            HttpHeaders closing = new HttpHeaders();
            if (headers != null) {
                closing.addAll(headers);
            }
            closing.set(HttpHeaders.CONNECTION, "close");
            headers = closing;
        }
        return super.handleExceptionInternal(ex, body, headers, status, exchange);
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail,
                                                 ServerWebExchange exchange) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setTitle(title);
        body.setType(URI.create("about:blank"));
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (mayLeaveBodyUnread(exchange)) {
            answer.header(HttpHeaders.CONNECTION, "close");
        }
        return answer.body(body);
    }

    private static boolean mayLeaveBodyUnread(ServerWebExchange exchange) {
        long length = exchange.getRequest().getHeaders().getContentLength();
        return length > 0 && length <= 64 * 1024;
    }
}
