package io.affectune.support.problem;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * The one way a service says "no" to a request: a status, a problem type, a title and a detail a person
 * can act on, rendered as RFC 7807 application/problem+json by the handlers in this library (HTTP) and
 * as the same object inside WebSocket messages. Every service throws this (or a subclass) instead of
 * keeping its own exception and handler.
 *
 * <p>The {@code type} is {@code urn:affectune:problem:<slug>}, see {@link ProblemTypes}; the slug defaults
 * to the title in kebab case ("Image too large" becomes {@code image-too-large}).
 */
public class ApiProblem extends RuntimeException {

    private final HttpStatusCode status;
    private final String slug;
    private final String title;
    private final Map<String, Object> properties;
    private final Duration retryAfter;
    private final Map<String, String> headers;

    public ApiProblem(HttpStatusCode status, String title, String detail) {
        this(status, ProblemTypes.slugOf(title), title, detail, Map.of(), null, Map.of());
    }

    protected ApiProblem(
            HttpStatusCode status,
            String slug,
            String title,
            String detail,
            Map<String, Object> properties,
            Duration retryAfter,
            Map<String, String> headers) {
        super(detail, null, false, false); // a refusal, not a fault: no stack trace to fill or log
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.properties = Map.copyOf(properties);
        this.retryAfter = retryAfter;
        this.headers = Map.copyOf(headers);
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "Bad request", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "Not found", detail);
    }

    public static ApiProblem unsupportedMediaType(String detail) {
        return new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", detail);
    }

    public static ApiProblem tooLarge(String title, String detail) {
        return new ApiProblem(HttpStatus.PAYLOAD_TOO_LARGE, title, detail);
    }

    public static ApiProblem unavailable(String title, String detail, Duration retryAfter) {
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, title, detail).retryAfter(retryAfter);
    }

    /** The same problem with a different type slug (for a title that reads well but names it badly). */
    public ApiProblem type(String newSlug) {
        return new ApiProblem(status, newSlug, title, getMessage(), properties, retryAfter, headers);
    }

    /** The same problem with one more member in its JSON object (e.g. {@code maxBytes}, {@code part}). */
    public ApiProblem with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(properties);
        more.put(name, value);
        return new ApiProblem(status, slug, title, getMessage(), more, retryAfter, headers);
    }

    /** The same problem with a new detail (e.g. prefixed by where in a batch it happened). */
    public ApiProblem detail(String newDetail) {
        return new ApiProblem(status, slug, title, newDetail, properties, retryAfter, headers);
    }

    /** Answered with a Retry-After header (whole seconds, at least 1). */
    public ApiProblem retryAfter(Duration after) {
        return new ApiProblem(status, slug, title, getMessage(), properties, after, headers);
    }

    /** The same problem answered with one more header (e.g. WWW-Authenticate). */
    public ApiProblem withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiProblem(status, slug, title, getMessage(), properties, retryAfter, more);
    }

    public Map<String, String> headers() {
        return headers;
    }

    public HttpStatusCode status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    /** Null when the answer carries no Retry-After. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public long retryAfterSeconds() {
        return retryAfter == null ? 0 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
