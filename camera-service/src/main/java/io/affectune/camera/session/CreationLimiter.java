package io.affectune.camera.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many new sessions one client may open: a token bucket per client address that holds
 * {@code perMinute} tokens and refills at that rate. Without it 199 anonymous POSTs in 0.2 s filled the
 * whole registry and locked everybody else out for the idle timeout.
 */
final class CreationLimiter {

    private final int perMinute;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        Instant updated;

        Bucket(double tokens, Instant updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    CreationLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Zero when the client may create a session now (and the token is taken), else the wait for the next one. */
    Duration acquire(String client, Instant now) {
        if (perMinute <= 0) {
            return Duration.ZERO; // limit off
        }
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(perMinute, now));
        synchronized (bucket) {
            refill(bucket, now);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Duration.ZERO;
            }
            double secondsPerToken = 60.0 / perMinute;
            return Duration.ofMillis((long) Math.ceil((1 - bucket.tokens) * secondsPerToken * 1000));
        }
    }

    /** Forgets clients whose bucket is full again (they would start from a full bucket anyway). */
    void forgetIdle(Instant now) {
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                refill(bucket, now);
                return bucket.tokens >= perMinute;
            }
        });
    }

    private void refill(Bucket bucket, Instant now) {
        double seconds = Math.max(0, Duration.between(bucket.updated, now).toNanos() / 1e9);
        bucket.tokens = Math.min(perMinute, bucket.tokens + seconds * perMinute / 60.0);
        bucket.updated = now;
    }
}
