package io.affectune.playlist.web;

import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** A failure with a status and a message a person can act on; rendered as application/problem+json. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final Map<String, Object> properties;
    private final HttpHeaders headers;

    public ApiException(HttpStatus status, String title, String detail) {
        this(status, title, detail, Map.of(), new HttpHeaders());
    }

    public ApiException(HttpStatus status, String title, String detail, Map<String, Object> properties) {
        this(status, title, detail, properties, new HttpHeaders());
    }

    public ApiException(HttpStatus status, String title, String detail, Map<String, Object> properties,
                        HttpHeaders headers) {
        super(detail);
        this.status = status;
        this.title = title;
        this.properties = Map.copyOf(properties);
        this.headers = headers;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Bad request", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, "Not found", detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public HttpHeaders headers() {
        return headers;
    }
}
