package io.affectune.playlist.playlist;

import io.affectune.playlist.listener.ListenerIds;
import io.affectune.playlist.playlist.PlaylistDtos.PlaylistResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/playlists")
@Tag(name = "Playlists", description = "Ranked playlists for an emotion")
public class PlaylistController {

    private final PlaylistService service;

    public PlaylistController(PlaylistService service) {
        this.service = service;
    }

    @GetMapping("/{emotion}")
    @Operation(
            summary = "A ranked playlist for one of the seven emotions",
            description = "Tracks close to the emotion's (valence, energy) target, blended with the curated lists, "
                    + "at most two per artist, shaped by listener feedback. strategy=uplift starts at the mood and "
                    + "moves gently toward positive valence (iso principle). Deterministic for the same inputs. With "
                    + "X-Listener-Id the listener's own likes and skips for this emotion blend in (their skips sink "
                    + "a track for them, their likes lift it and similar tracks); without one, or before their first "
                    + "feedback, the ranking is the global one.")
    public PlaylistResponse playlist(
            @Parameter(
                            description =
                                    "angry, disgust, fear, happy, neutral, sad, surprise (also disgusted, fearful, surprised; any case)")
                    @PathVariable
                    String emotion,
            @Parameter(description = "number of tracks, 1..100") @RequestParam(defaultValue = "15") int limit,
            @Parameter(description = "match or uplift") @RequestParam(defaultValue = "match") String strategy,
            @Parameter(description = "comma-separated track ids to leave out (already played)")
                    @RequestParam(required = false)
                    String exclude,
            @Parameter(description = "the listener's random UUID; optional (anything but a UUID is a 400)")
                    @RequestHeader(value = ListenerIds.HEADER, required = false)
                    String listenerId) {
        return service.playlist(emotion, limit, strategy, exclude, ListenerIds.fromHeader(listenerId));
    }
}
