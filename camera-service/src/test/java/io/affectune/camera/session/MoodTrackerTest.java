package io.affectune.camera.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mood rules with the production defaults (settle 5 s, hold 10 s, margin 0.15), on a simulated clock. */
class MoodTrackerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Map<String, Double> probs(String leader, double p) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String label : List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")) {
            m.put(label, label.equals(leader) ? p : (1 - p) / 6);
        }
        return m;
    }

    private static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    @Test
    void firstMoodSettlesAfterFiveSecondsOfOneEmotion() {
        MoodTracker mood = new MoodTracker(Duration.ofSeconds(5), Duration.ofSeconds(10), 0.15);
        for (int i = 0; i < 50; i++) {
            double t = i / 10.0;
            assertThat(mood.update(probs("happy", 0.7), at(t))).isFalse();
        }
        assertThat(mood.update(probs("happy", 0.7), at(5.0))).isTrue();
        assertThat(mood.state().emotion()).isEqualTo("happy");
        assertThat(mood.state().lockedUntil()).isEqualTo(at(15.0));
    }

    @Test
    void aChallengerWinsOnlyAfterTheHoldAndAClearLongLead() {
        MoodTracker mood = new MoodTracker(Duration.ofSeconds(5), Duration.ofSeconds(10), 0.15);
        for (int i = 0; i <= 50; i++) {
            double t = i / 10.0;
            mood.update(probs("happy", 0.7), at(t));
        }
        // sad leads clearly from t=6, but the mood is locked until t=15
        for (int i = 60; i < 150; i++) {
            double t = i / 10.0;
            assertThat(mood.update(probs("sad", 0.7), at(t))).isFalse();
        }
        assertThat(mood.update(probs("sad", 0.7), at(15.0))).isTrue();
        assertThat(mood.state().emotion()).isEqualTo("sad");
    }

    @Test
    void aNarrowOrFlickeringLeadDoesNotChangeTheMood() {
        MoodTracker mood = new MoodTracker(Duration.ofSeconds(5), Duration.ofSeconds(10), 0.15);
        for (int i = 0; i <= 50; i++) {
            double t = i / 10.0;
            mood.update(probs("happy", 0.7), at(t));
        }
        Map<String, Double> narrow = new LinkedHashMap<>(probs("happy", 0.4));
        narrow.put("neutral", 0.5);
        for (int i = 160; i < 400; i++) {
            double t = i / 10.0;
            assertThat(mood.update(narrow, at(t)))
                    .as("a 0.10 lead is below the margin")
                    .isFalse();
        }
        // a clear lead that breaks every 3 s never lasts the 5 s settle
        for (int i = 400; i < 800; i++) {
            double t = i / 10.0;
            boolean sadPhase = ((int) ((t - 40) / 3)) % 2 == 0;
            assertThat(mood.update(sadPhase ? probs("sad", 0.8) : probs("happy", 0.8), at(t)))
                    .isFalse();
        }
        assertThat(mood.state().emotion()).isEqualTo("happy");
    }

    @Test
    void theEmaAndTrackingFollowTheSameFaceAcrossFrames() {
        FaceTracker tracker = new FaceTracker(0.3, Duration.ofMillis(1500));
        FaceBox first = new FaceBox(100, 100, 100, 100);
        FaceBox moved = new FaceBox(110, 105, 100, 100);
        FaceBox other = new FaceBox(400, 100, 90, 90);
        int id = tracker.update(List.of(first), at(0)).get(0).id;
        List<Track> next = tracker.update(List.of(other, moved), at(0.1));
        assertThat(next.get(1).id).isEqualTo(id);
        assertThat(next.get(0).id).isNotEqualTo(id);
        assertThat(tracker.update(List.of(moved), at(5)).get(0).id)
                .as("a track unseen past its TTL ends")
                .isNotEqualTo(id);

        Track track = new Track(1, first, at(0));
        track.observe(probs("happy", 0.9), at(0), Duration.ofMillis(1500));
        track.observe(probs("sad", 0.9), at(0.1), Duration.ofMillis(1500));
        assertThat(track.smoothed().get("happy"))
                .as("one odd frame does not flip the smoothed emotion")
                .isGreaterThan(track.smoothed().get("sad"));
    }
}
