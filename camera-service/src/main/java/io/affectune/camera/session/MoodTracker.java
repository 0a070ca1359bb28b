package io.affectune.camera.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The session mood with hysteresis. A first mood is set once one emotion has led the smoothed
 * probabilities for {@code settle}. Afterwards the mood is locked for {@code hold}; it changes only
 * when another emotion leads the current one by at least {@code margin} continuously for
 * {@code settle} (the challenger may build up its time during the hold). Not thread-safe.
 */
final class MoodTracker {

    record State(String emotion, double confidence, Instant since, Instant lockedUntil) {}

    private final Duration settle;
    private final Duration hold;
    private final double margin;
    private State state;
    private String candidate;
    private Instant candidateSince;

    MoodTracker(Duration settle, Duration hold, double margin) {
        this.settle = settle;
        this.hold = hold;
        this.margin = margin;
    }

    /** Feeds the subject's smoothed probabilities (null when no face); returns true when the mood changed. */
    boolean update(Map<String, Double> probabilities, Instant now) {
        if (probabilities == null || probabilities.isEmpty()) {
            candidate = null;
            return false;
        }
        String leader = probabilities.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        String challenger;
        if (state == null) {
            challenger = leader;
        } else {
            double current = probabilities.getOrDefault(state.emotion(), 0.0);
            challenger =
                    !leader.equals(state.emotion()) && probabilities.get(leader) - current >= margin ? leader : null;
            state = new State(state.emotion(), current, state.since(), state.lockedUntil());
        }
        if (challenger == null) {
            candidate = null;
            return false;
        }
        if (!challenger.equals(candidate)) {
            candidate = challenger;
            candidateSince = now;
        }
        boolean longEnough = Duration.between(candidateSince, now).compareTo(settle) >= 0;
        boolean unlocked = state == null || !now.isBefore(state.lockedUntil());
        if (longEnough && unlocked) {
            state = new State(challenger, probabilities.get(challenger), now, now.plus(hold));
            candidate = null;
            return true;
        }
        return false;
    }

    State state() {
        return state;
    }
}
