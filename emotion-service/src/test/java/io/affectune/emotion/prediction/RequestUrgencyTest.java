package io.affectune.emotion.prediction;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.emotion.model.MicroBatcher.Lane;
import org.junit.jupiter.api.Test;

/** RFC 9218 {@code Priority} values as clients send them, and the lane each one gets. */
class RequestUrgencyTest {

    @Test
    void lessUrgentThanTheDefaultIsBackground() {
        assertThat(RequestUrgency.lane("u=5")).isEqualTo(Lane.BACKGROUND);
        assertThat(RequestUrgency.lane("u=7, i")).isEqualTo(Lane.BACKGROUND);
        assertThat(RequestUrgency.lane("i, u=4")).isEqualTo(Lane.BACKGROUND);
        assertThat(RequestUrgency.lane("u=6;x=1")).isEqualTo(Lane.BACKGROUND);
    }

    @Test
    void theDefaultAndMoreUrgentAreInteractive() {
        assertThat(RequestUrgency.lane(null)).isEqualTo(Lane.INTERACTIVE);
        assertThat(RequestUrgency.lane("u=3")).isEqualTo(Lane.INTERACTIVE);
        assertThat(RequestUrgency.lane("u=0")).isEqualTo(Lane.INTERACTIVE);
        assertThat(RequestUrgency.lane("i")).isEqualTo(Lane.INTERACTIVE);
    }

    @Test
    void anUnreadableUrgencyCountsAsAbsent() {
        assertThat(RequestUrgency.urgency("u=9")).isEqualTo(3);
        assertThat(RequestUrgency.urgency("u=-1")).isEqualTo(3);
        assertThat(RequestUrgency.urgency("u=high")).isEqualTo(3);
        assertThat(RequestUrgency.urgency("u")).isEqualTo(3);
        assertThat(RequestUrgency.urgency("")).isEqualTo(3);
        assertThat(RequestUrgency.urgency("urgent=5")).isEqualTo(3);
        assertThat(RequestUrgency.urgency("u=2, u=6"))
                .as("the last member wins")
                .isEqualTo(6);
    }
}
