package io.affectune.playlist.emotion;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The seven FER classes and where each sits on the valence/energy plane. Spotify's valence and
 * energy stand in for the valence and arousal axes of Russell's circumplex model of affect
 * (Russell 1980): anger and fear are unpleasant and aroused, sadness unpleasant and calm,
 * happiness pleasant and lively, surprise pleasant-leaning and very aroused.
 */
public enum Emotion {
    ANGRY("angry", 0.20, 0.90, "angry"),
    DISGUST("disgust", 0.15, 0.60, "disgusted"),
    FEAR("fear", 0.30, 0.75, "fearful"),
    HAPPY("happy", 0.85, 0.70, "happy"),
    NEUTRAL("neutral", 0.50, 0.50, "neutral"),
    SAD("sad", 0.20, 0.25, "sad"),
    SURPRISE("surprise", 0.70, 0.85, "surprised");

    private final String id;
    private final double valence;
    private final double energy;
    private final String originalName;

    Emotion(String id, double valence, double energy, String originalName) {
        this.id = id;
        this.valence = valence;
        this.energy = energy;
        this.originalName = originalName;
    }

    public String id() {
        return id;
    }

    public double valence() {
        return valence;
    }

    public double energy() {
        return energy;
    }

    /** The name the original Flask system used (disgusted, fearful, surprised). */
    public String originalName() {
        return originalName;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Emotion::id).toList();
    }

    /** Accepts the seven ids and the original system's names, in any case, surrounding blanks ignored. */
    public static Optional<Emotion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (Emotion emotion : values()) {
            if (emotion.id.equals(wanted) || emotion.originalName.equals(wanted)) {
                return Optional.of(emotion);
            }
        }
        return Optional.empty();
    }
}
