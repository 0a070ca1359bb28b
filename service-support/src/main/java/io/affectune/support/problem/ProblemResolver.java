package io.affectune.support.problem;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.ProblemDetail;
import org.springframework.validation.BindException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.method.annotation.HandlerMethodValidationException;

/**
 * Decides, for any failure of any service on either web stack, the problem+json answer: the status, the
 * body and the headers. The WebFlux and servlet adapters in this library only write what this decides.
 *
 * <p>Order: an {@link ApiProblem} anywhere in the cause chain; then the service's {@link ProblemMapper}s;
 * then the client errors that Spring and the HTTP layer raise (malformed Content-Type, body over the limit,
 * unreadable body, bad parameters, unknown path, wrong method); anything else is a 500 with a generic
 * detail, logged once at ERROR. Client errors are logged at DEBUG only: a client's mistake is not ours.
 */
public final class ProblemResolver {

    private static final Logger log = LoggerFactory.getLogger(ProblemResolver.class);

    /** What to answer: body and headers (Retry-After); {@code fault} when it is the service's own failure. */
    public record Answer(ProblemDetail body, HttpHeaders headers, boolean fault) {
        public HttpStatusCode status() {
            return HttpStatusCode.valueOf(body.getStatus());
        }
    }

    private final List<ProblemMapper> mappers;
    private final List<ProblemObserver> observers;

    public ProblemResolver(List<ProblemMapper> mappers, List<ProblemObserver> observers) {
        this.mappers = List.copyOf(mappers);
        this.observers = List.copyOf(observers);
    }

    public Answer resolve(Throwable error, String method, String path) {
        Answer answer = decide(error, method, path);
        observers.forEach(o -> o.answered(answer.body()));
        return answer;
    }

    private Answer decide(Throwable error, String method, String path) {
        ApiProblem problem = find(error, ApiProblem.class);
        for (int i = 0; problem == null && i < mappers.size(); i++) {
            for (Throwable t = error; t != null && problem == null; t = t.getCause() == t ? null : t.getCause()) {
                problem = mappers.get(i).map(t);
            }
        }
        if (problem == null) {
            problem = clientError(error);
        }
        if (problem != null) {
            log.debug("{} {} answered {}: {}", method, path, problem.status().value(), problem.getMessage());
            return of(problem, path);
        }
        ErrorResponse spring = find(error, ErrorResponse.class);
        if (spring != null) {
            ProblemDetail body = Problems.normalise(spring.updateAndGetBody(null, null), path);
            if (body.getStatus() >= 500) {
                log.warn("{} {} answered {}: {}", method, path, body.getStatus(), error.toString());
            }
            HttpHeaders headers = new HttpHeaders();
            headers.addAll(spring.getHeaders());
            return new Answer(body, headers, body.getStatus() >= 500);
        }
        log.error("Unexpected failure on {} {}", method, path, error);
        return of(
                new ApiProblem(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "Internal error",
                        "Something went wrong on our side; the error is logged. Try again later."),
                path);
    }

    private static Answer of(ApiProblem problem, String path) {
        HttpHeaders headers = new HttpHeaders();
        problem.headers().forEach(headers::set);
        if (problem.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(problem.retryAfterSeconds()));
        }
        return new Answer(
                Problems.detail(problem, path), headers, problem.status().is5xxServerError());
    }

    /** Client errors raised below the service's own code, with a message a person can act on. */
    private static ApiProblem clientError(Throwable error) {
        InvalidMediaTypeException badType = find(error, InvalidMediaTypeException.class);
        if (badType != null) {
            return new ApiProblem(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "Malformed Content-Type",
                    "Content-Type '" + Problems.quote(badType.getMediaType()) + "' is not a media type: send the "
                            + "type the endpoint documents (image/jpeg, image/png, multipart/form-data or application/json)");
        }
        DataBufferLimitException tooLarge = find(error, DataBufferLimitException.class);
        if (tooLarge != null) {
            return ApiProblem.tooLarge(
                    "Payload too large",
                    "The request body is larger than this endpoint accepts: " + tooLarge.getMessage());
        }
        BindException invalid = find(error, BindException.class);
        if (invalid != null) {
            List<Map<String, String>> errors = invalid.getBindingResult().getFieldErrors().stream()
                    .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                    .toList();
            String detail = errors.stream()
                    .map(m -> m.get("field") + " " + m.get("message"))
                    .reduce((a, b) -> a + "; " + b)
                    .orElse("The request body is invalid.");
            return new ApiProblem(HttpStatus.BAD_REQUEST, "Invalid request body", detail).with("errors", errors);
        }
        HandlerMethodValidationException invalidParameters = find(error, HandlerMethodValidationException.class);
        if (invalidParameters != null) {
            return new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Invalid request",
                    invalidParameters.getAllErrors().stream()
                            .map(e -> String.valueOf(e.getDefaultMessage()))
                            .reduce((a, b) -> a + "; " + b)
                            .orElse("Invalid parameters."));
        }
        TypeMismatchException mismatch = find(error, TypeMismatchException.class);
        if (mismatch != null) {
            String name = mismatch.getPropertyName() != null ? mismatch.getPropertyName() : "a parameter";
            return ApiProblem.badRequest("Parameter '" + name + "' must be " + describe(mismatch.getRequiredType())
                    + ", not '" + abbreviate(String.valueOf(mismatch.getValue())) + "'.");
        }
        DecodingException unreadable = find(error, DecodingException.class);
        if (unreadable != null) {
            return new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Malformed request body",
                    "The request body cannot be read: " + firstLine(unreadable.getMessage()));
        }
        return null;
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        return type == null ? "a different value" : "a valid " + type.getSimpleName();
    }

    public static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    public static <T> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
