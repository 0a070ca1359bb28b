package io.affectune.camera.session;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One face followed across frames, with exponentially smoothed emotion probabilities. */
final class Track {

    final int id;
    FaceBox face;
    Instant lastSeen;
    int hits;
    private Map<String, Double> smoothed;
    private Instant lastUpdate;

    Track(int id, FaceBox face, Instant now) {
        this.id = id;
        this.face = face;
        this.lastSeen = now;
        this.hits = 1;
    }

    /**
     * Time-based EMA: weight 1 - exp(-dt / window) for the new observation, so smoothing behaves the
     * same whether the client sends 5 or 30 frames per second.
     */
    void observe(Map<String, Double> probabilities, Instant now, Duration window) {
        if (smoothed == null || window.isZero()) {
            smoothed = new LinkedHashMap<>(probabilities);
        } else {
            double dt = Math.max(0, Duration.between(lastUpdate, now).toNanos() / 1e9);
            double alpha = 1 - Math.exp(-dt / (window.toNanos() / 1e9));
            Map<String, Double> next = new LinkedHashMap<>();
            probabilities.forEach(
                    (label, p) -> next.put(label, smoothed.getOrDefault(label, p) * (1 - alpha) + p * alpha));
            smoothed = next;
        }
        lastUpdate = now;
    }

    Map<String, Double> smoothed() {
        return smoothed;
    }

    /** Larger and longer-followed faces are the main subject; persistence counts up to 30 frames. */
    double salience() {
        return face.area() * Math.min(hits, 30);
    }
}
