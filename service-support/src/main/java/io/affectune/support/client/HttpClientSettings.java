package io.affectune.support.client;

import java.time.Duration;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * What differs between two HTTP clients of ours: where the other service is, how long a connection and an answer
 * may take, and the largest answer body read into memory (bigger: the call fails instead of filling the heap).
 *
 * @param baseUrl         the other service's base URL, e.g. {@code http://localhost:8082}
 * @param connectTimeout  how long opening a connection may take
 * @param responseTimeout how long the answer's head may take once the request is sent
 * @param maxInMemorySize largest answer body decoded in memory
 */
public record HttpClientSettings(
        String baseUrl, Duration connectTimeout, Duration responseTimeout, DataSize maxInMemorySize) {

    /** Connecting takes at most this long by default: a host that is there answers a connect within milliseconds. */
    public static final Duration MAX_DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Settings whose connect timeout is the response timeout, at most {@link #MAX_DEFAULT_CONNECT_TIMEOUT}. */
    public static HttpClientSettings of(String baseUrl, Duration responseTimeout, DataSize maxInMemorySize) {
        Duration connect = responseTimeout != null && responseTimeout.compareTo(MAX_DEFAULT_CONNECT_TIMEOUT) < 0
                ? responseTimeout
                : MAX_DEFAULT_CONNECT_TIMEOUT;
        return new HttpClientSettings(baseUrl, connect, responseTimeout, maxInMemorySize);
    }

    public HttpClientSettings {
        Assert.hasText(baseUrl, "baseUrl must be set");
        Assert.isTrue(positive(connectTimeout), "connectTimeout must be positive");
        Assert.isTrue(positive(responseTimeout), "responseTimeout must be positive");
        Assert.isTrue(maxInMemorySize != null && maxInMemorySize.toBytes() > 0, "maxInMemorySize must be positive");
    }

    private static boolean positive(Duration duration) {
        return duration != null && !duration.isNegative() && !duration.isZero();
    }
}
