package io.affectune.playlist.playlist;

import java.util.List;

public final class PlaylistDtos {

    private PlaylistDtos() {}

    public record Target(double valence, double energy) {
        double distanceTo(double v, double e) {
            double dv = v - valence;
            double de = e - energy;
            return Math.sqrt(dv * dv + de * de);
        }
    }

    /** kind: "curated" (on a curated list for the emotion) or "features" (chosen for its closeness alone). */
    public record Reason(String kind, Double distance, String text) {}

    public record RankedTrack(
            long id,
            String spotifyId,
            String title,
            String artist,
            String album,
            String spotifyUrl,
            List<String> genres,
            Double valence,
            Double energy,
            double score,
            Reason reason) {}

    /** target: where the playlist starts; goal: where it ends (equal to target for "match"). */
    public record PlaylistResponse(
            String emotion, String strategy, Target target, Target goal, List<RankedTrack> tracks) {}
}
