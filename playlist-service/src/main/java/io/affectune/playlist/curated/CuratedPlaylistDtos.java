package io.affectune.playlist.curated;

import io.affectune.playlist.catalog.TrackView;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/** Request and response bodies of /api/v1/curated-playlists. */
public final class CuratedPlaylistDtos {

    private CuratedPlaylistDtos() {}

    /** Create or replace: trackIds in playlist order (may be empty). */
    public record PlaylistRequest(
            @NotBlank @Size(max = 16) String emotion,
            @NotBlank @Size(max = 200) String name,
            @Size(max = 2000) String description,
            @Size(max = 500) List<@NotNull Long> trackIds) {}

    public record AddTrackRequest(
            @NotNull Long trackId, @PositiveOrZero Integer position) {}

    public record PlaylistSummary(
            long id,
            String emotion,
            String name,
            String description,
            String source,
            int trackCount,
            Instant createdAt,
            Instant updatedAt) {
        static PlaylistSummary of(CuratedPlaylist p) {
            return new PlaylistSummary(
                    p.getId(),
                    p.getEmotion(),
                    p.getName(),
                    p.getDescription(),
                    p.getSource(),
                    p.getTrackIds().size(),
                    p.getCreatedAt(),
                    p.getUpdatedAt());
        }
    }

    public record PlaylistDetail(
            long id,
            String emotion,
            String name,
            String description,
            String source,
            Instant createdAt,
            Instant updatedAt,
            List<TrackView> tracks) {}
}
