package io.affectune.camera.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A mood playlist as playlist-service answers {@code GET /api/v1/playlists/{emotion}} (its
 * {@code PlaylistDtos.PlaylistResponse}), typed so that camera-service reads track ids without poking into JSON.
 * camera-service hands it on unchanged in its frame results and session views: every member is written, nulls
 * included ({@link JsonInclude.Include#ALWAYS}, over camera-service's non_absent default), as playlist-service
 * wrote it.
 *
 * @param emotion  the emotion the playlist is for
 * @param strategy {@code match} or {@code uplift}
 * @param target   where the playlist starts (valence, energy)
 * @param goal     where it ends (equal to target for {@code match})
 * @param tracks   ranked tracks, best first
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Playlist(String emotion, String strategy, Point target, Point goal, List<Track> tracks) {

    /** The track ids, as camera-service passes them back in {@code exclude}. */
    public List<String> trackIds() {
        return tracks == null
                ? List.of()
                : tracks.stream().map(track -> Long.toString(track.id())).toList();
    }

    /** A point in the (valence, energy) plane. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Point(double valence, double energy) {}

    /** One ranked track (playlist-service's {@code RankedTrack}); unknown audio features are null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Track(
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

    /** kind: {@code curated} (on a curated list for the emotion) or {@code features} (chosen for its closeness). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Reason(String kind, Double distance, String text) {}
}
