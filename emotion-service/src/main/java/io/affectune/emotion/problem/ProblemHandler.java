package io.affectune.emotion.problem;

import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.QueueFullException;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import java.net.URI;

/** Every refusal as RFC 7807 problem+json, counted by reason in emotion.requests.rejected. */
@RestControllerAdvice
public class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final MeterRegistry meters;
    private final EmotionProperties properties;

    public ProblemHandler(MeterRegistry meters, EmotionProperties properties) {
        this.meters = meters;
        this.properties = properties;
    }

    @ExceptionHandler(InputProblem.class)
    ResponseEntity<ProblemDetail> inputProblem(InputProblem problem, ServerWebExchange exchange) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
        body.setTitle(problem.title());
        body.setType(URI.create("urn:affectune:problem:" + slug(problem.title())));
        if (problem.part() != null) {
            body.setProperty("part", problem.part());
        }
        return answer(body, slug(problem.title()), null, BodyMayBeUnread.of(exchange));
    }

    @ExceptionHandler(QueueFullException.class)
    ResponseEntity<ProblemDetail> queueFull(QueueFullException e) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        body.setTitle("Busy");
        // the images were read and decoded before the queue refused them: the connection stays usable
        return answer(body, "queue_full", properties.retryAfter().toSeconds(), false);
    }

    @ExceptionHandler(ModelUnavailableException.class)
    ResponseEntity<ProblemDetail> modelUnavailable(ModelUnavailableException e, ServerWebExchange exchange) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        body.setTitle("Model not ready");
        return answer(body, "model_not_ready", properties.retryAfter().toSeconds(), BodyMayBeUnread.of(exchange));
    }

    @ExceptionHandler(DataBufferLimitException.class)
    ResponseEntity<ProblemDetail> tooLarge(DataBufferLimitException e, ServerWebExchange exchange) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE,
                "the request body is larger than the limit of " + properties.maxImageSize().toBytes() + " bytes");
        body.setTitle("Image too large");
        return answer(body, "image_too_large", null, BodyMayBeUnread.of(exchange));
    }

    /** A Content-Type header that is not a media type at all ("%%%"): the client's mistake, not a 500. */
    @ExceptionHandler(InvalidMediaTypeException.class)
    ResponseEntity<ProblemDetail> malformedMediaType(InvalidMediaTypeException e, ServerWebExchange exchange) {
        String raw = String.valueOf(exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE))
                .replaceAll("[^\\x20-\\x7e]", "?");
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type '" + (raw.length() > 100 ? raw.substring(0, 100) + "..." : raw) + "' is not a media type: "
                        + "send image/jpeg, image/png or multipart/form-data");
        body.setTitle("Malformed Content-Type");
        body.setType(URI.create("urn:affectune:problem:" + slug(body.getTitle())));
        return answer(body, "malformed_content_type", null, BodyMayBeUnread.of(exchange));
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<ProblemDetail> badRequest(ServerWebInputException e, ServerWebExchange exchange) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                e.getReason() == null ? "the request could not be read" : e.getReason());
        body.setTitle("Bad request");
        return answer(body, "bad_request", null, BodyMayBeUnread.of(exchange));
    }

    private ResponseEntity<ProblemDetail> answer(ProblemDetail body, String reason, Long retryAfterSeconds,
                                                 boolean closeConnection) {
        meters.counter("emotion.requests.rejected", "reason", reason).increment();
        log.debug("refused: {} {}", body.getStatus(), body.getDetail());
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(body.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (retryAfterSeconds != null) {
            builder.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfterSeconds)));
        }
        if (closeConnection) {
            builder.header(HttpHeaders.CONNECTION, "close");
        }
        return builder.body(body);
    }

    private static String slug(String title) {
        return title.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
