package io.affectune.playlist.web;

import java.io.IOException;

/** Thrown while reading a body of unknown length that turns out larger than the limit. */
public class PayloadTooLargeException extends IOException {

    private final long limit;

    public PayloadTooLargeException(long limit) {
        super("Request body is larger than " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
