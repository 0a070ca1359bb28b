package io.affectune.gateway.ratelimit;

/**
 * One client's budget: tokens refill continuously at {@code ratePerSecond} up to {@code capacity};
 * each request takes one. Synchronised per bucket, so clients never contend with each other.
 */
final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastRefillNanos;

    TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1_000_000_000d;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastRefillNanos = nowNanos;
    }

    /** Takes a token if there is one; otherwise returns how many nanoseconds until there will be (> 0). */
    synchronized long tryConsume(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1d) {
            tokens -= 1d;
            return 0L;
        }
        return Math.max(1L, (long) Math.ceil((1d - tokens) / ratePerNano));
    }

    synchronized int remaining(long nowNanos) {
        refill(nowNanos);
        return (int) Math.floor(tokens);
    }

    synchronized long lastUsedNanos() {
        return lastRefillNanos;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            lastRefillNanos = nowNanos;
        }
    }
}
