package io.affectune.camera.web;

import org.springframework.http.HttpStatus;

/** A 4xx answer with a message a person can act on (rendered as RFC 7807 problem+json). */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    public ApiException(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public static ApiException unknownSession(String id) {
        return new ApiException(HttpStatus.NOT_FOUND, "Unknown session",
                "No session '" + id + "': it never existed or expired after being idle");
    }
}
