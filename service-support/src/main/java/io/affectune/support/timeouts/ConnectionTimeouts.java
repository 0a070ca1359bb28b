package io.affectune.support.timeouts;

import java.time.Duration;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;

/**
 * How long a server waits for a client that has stopped sending: every service, one rule.
 *
 * @param read a request whose head or body stops arriving for this long is closed (SERVER_READ_TIMEOUT,
 *             property {@code affectune.web.read-timeout}; default 30 s)
 * @param idle a keep-alive connection with no request on it for this long is closed (SERVER_IDLE_TIMEOUT,
 *             property {@code affectune.web.idle-timeout}; default 60 s)
 */
public record ConnectionTimeouts(Duration read, Duration idle) {

    public static final Duration DEFAULT_READ = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);

    public ConnectionTimeouts {
        if (read.isNegative() || read.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("SERVER_READ_TIMEOUT and SERVER_IDLE_TIMEOUT must be > 0");
        }
    }

    /** The property if set, else the environment variable, else the default. */
    public static ConnectionTimeouts from(Environment environment) {
        return new ConnectionTimeouts(
                duration(environment, "affectune.web.read-timeout", "SERVER_READ_TIMEOUT", DEFAULT_READ),
                duration(environment, "affectune.web.idle-timeout", "SERVER_IDLE_TIMEOUT", DEFAULT_IDLE));
    }

    /**
     * Netty has one timer for "waiting for a request": it runs from the end of one exchange (or the connect)
     * until a request head is complete, so it bounds a half-sent head as well as an idle keep-alive
     * connection. It gets the smaller of the two so that a half-sent head never outlives the read timeout.
     */
    public Duration nettyIdle() {
        return idle.compareTo(read) < 0 ? idle : read;
    }

    private static Duration duration(Environment environment, String property, String variable, Duration fallback) {
        String raw = environment.getProperty(property);
        if (raw == null || raw.isBlank()) {
            raw = environment.getProperty(variable);
        }
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return DurationStyle.detectAndParse(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " (" + property + ") is not a duration: '" + raw + "'", e);
        }
    }
}
