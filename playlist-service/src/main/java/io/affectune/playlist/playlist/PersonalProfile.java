package io.affectune.playlist.playlist;

import io.affectune.playlist.playlist.PlaylistDtos.Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one listener's likes and skips for one emotion say: their own tally per track, and the tracks
 * they liked or skipped (with audio features and genres) that similar tracks are compared with.
 * {@link #NONE} (no listener, or no feedback yet) leaves the global ranking unchanged.
 */
record PersonalProfile(Map<Long, int[]> own, List<Candidate> liked, List<Candidate> skipped) {

    static final PersonalProfile NONE = new PersonalProfile(Map.of(), List.of(), List.of());

    boolean isEmpty() {
        return own.isEmpty();
    }

    /** The mean (valence, energy) of the liked tracks with known features, rounded to a 0.05 grid. */
    Optional<Target> likedCentre() {
        double v = 0;
        double e = 0;
        int n = 0;
        for (Candidate c : liked) {
            if (c.hasFeatures()) {
                v += c.valence();
                e += c.energy();
                n++;
            }
        }
        if (n == 0) {
            return Optional.empty();
        }
        // a grid keeps the nearest-neighbour cache (one entry per point) bounded: at most 21 x 21 points
        return Optional.of(new Target(Math.round(v / n * 20) / 20d, Math.round(e / n * 20) / 20d));
    }
}
