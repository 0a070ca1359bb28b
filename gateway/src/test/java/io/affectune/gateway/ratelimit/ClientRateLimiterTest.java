package io.affectune.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.gateway.GatewaySettings;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    ClientRateLimiter limiter(double perSecond, int burst, int maxClients) {
        return new ClientRateLimiter(new GatewaySettings.RateLimit(true, perSecond, burst, maxClients), now::get);
    }

    @Test
    void allowsABurstThenRefusesWithTheTimeUntilTheNextToken() {
        ClientRateLimiter limiter = limiter(2, 3, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("10.0.0.1").allowed()).isTrue();
        }
        ClientRateLimiter.Decision refused = limiter.tryAcquire("10.0.0.1");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));

        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(limiter.tryAcquire("10.0.0.1").allowed()).isTrue();
        assertThat(limiter.tryAcquire("10.0.0.1").allowed()).isFalse();
    }

    @Test
    void eachClientHasItsOwnBudget() {
        ClientRateLimiter limiter = limiter(1, 1, 100);
        assertThat(limiter.tryAcquire("10.0.0.1").allowed()).isTrue();
        assertThat(limiter.tryAcquire("10.0.0.1").allowed()).isFalse();
        assertThat(limiter.tryAcquire("10.0.0.2").allowed()).isTrue();
    }

    @Test
    void refillsNoFurtherThanTheBurst() {
        ClientRateLimiter limiter = limiter(10, 2, 100);
        limiter.tryAcquire("c");
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(limiter.tryAcquire("c").allowed()).isTrue();
        assertThat(limiter.tryAcquire("c").allowed()).isTrue();
        assertThat(limiter.tryAcquire("c").allowed()).isFalse();
    }

    @Test
    void remembersAtMostMaxClientsForgettingTheIdleFirst() {
        ClientRateLimiter limiter = limiter(1, 1, 2);
        limiter.tryAcquire("old");
        now.addAndGet(Duration.ofMillis(100).toNanos());
        limiter.tryAcquire("recent");
        now.addAndGet(Duration.ofMillis(100).toNanos());
        limiter.tryAcquire("new"); // table full: "old" is forgotten
        assertThat(limiter.tryAcquire("recent").allowed()).isFalse(); // still remembered, still empty
        assertThat(limiter.tryAcquire("old").allowed()).isTrue(); // forgotten, so it starts afresh
    }
}
