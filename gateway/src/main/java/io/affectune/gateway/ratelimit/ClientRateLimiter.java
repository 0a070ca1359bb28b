package io.affectune.gateway.ratelimit;

import io.affectune.gateway.GatewaySettings;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * In-memory token buckets keyed by client (the remote IP). Kept in this process only: with one gateway
 * instance that is exact, and it needs no Redis. Idle clients are forgotten when the table is full.
 */
public class ClientRateLimiter {

    /** The answer for one request: allowed, or how long to wait before the next one will be. */
    public record Decision(boolean allowed, Duration retryAfter, int remaining) {}

    private final GatewaySettings.RateLimit settings;
    private final LongSupplier clock;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public ClientRateLimiter(GatewaySettings.RateLimit settings) {
        this(settings, System::nanoTime);
    }

    ClientRateLimiter(GatewaySettings.RateLimit settings, LongSupplier clock) {
        if (settings.requestsPerSecond() <= 0 || settings.burst() < 1) {
            throw new IllegalArgumentException("RATE_LIMIT_REQUESTS_PER_SECOND must be > 0 and RATE_LIMIT_BURST >= 1");
        }
        this.settings = settings;
        this.clock = clock;
    }

    public Decision tryAcquire(String client) {
        long now = clock.getAsLong();
        if (buckets.size() >= settings.maxClients() && !buckets.containsKey(client)) {
            evictIdle(now);
        }
        TokenBucket bucket = buckets.computeIfAbsent(
                client, key -> new TokenBucket(settings.requestsPerSecond(), settings.burst(), now));
        long waitNanos = bucket.tryConsume(now);
        if (waitNanos == 0L) {
            return new Decision(true, Duration.ZERO, bucket.remaining(now));
        }
        return new Decision(false, Duration.ofNanos(waitNanos), 0);
    }

    public int limit() {
        return settings.burst();
    }

    private void evictIdle(long now) {
        // A bucket idle long enough to be full again carries no information: drop those first.
        long refillNanos = (long) (settings.burst() / settings.requestsPerSecond() * 1_000_000_000d);
        buckets.entrySet().removeIf(entry -> now - entry.getValue().lastUsedNanos() > refillNanos);
        while (buckets.size() >= settings.maxClients()) {
            buckets.entrySet().stream()
                    .min(Comparator.comparingLong(entry -> entry.getValue().lastUsedNanos()))
                    .ifPresent(oldest -> buckets.remove(oldest.getKey()));
        }
    }
}
