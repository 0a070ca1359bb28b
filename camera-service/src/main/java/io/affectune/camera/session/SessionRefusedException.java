package io.affectune.camera.session;

import java.time.Duration;

/**
 * A new session was not created: the id is malformed, this client opened too many sessions too quickly,
 * or the registry is full. The web layer answers 400, 429 or 503 (with Retry-After), never 500.
 */
public class SessionRefusedException extends RuntimeException {

    public enum Reason {
        MALFORMED_ID,
        CLIENT_RATE,
        FULL
    }

    private final Reason reason;
    private final Duration retryAfter;

    SessionRefusedException(Reason reason, Duration retryAfter, String message) {
        super(message);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    /** When trying again may succeed (zero for a malformed id: it never will). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
