package io.affectune.playlist.curated;

import io.affectune.playlist.curated.CuratedPlaylistDtos.AddTrackRequest;
import io.affectune.playlist.curated.CuratedPlaylistDtos.PlaylistDetail;
import io.affectune.playlist.curated.CuratedPlaylistDtos.PlaylistRequest;
import io.affectune.playlist.curated.CuratedPlaylistDtos.PlaylistSummary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/curated-playlists")
@Tag(
        name = "Curated playlists",
        description = "Hand-made lists per emotion; writes need 'Authorization: Bearer <ADMIN_TOKEN>'")
public class CuratedPlaylistController {

    private final CuratedPlaylistService service;

    public CuratedPlaylistController(CuratedPlaylistService service) {
        this.service = service;
    }

    @GetMapping
    @Operation(summary = "List curated playlists, optionally of one emotion")
    public List<PlaylistSummary> list(@RequestParam(required = false) String emotion) {
        return service.list(emotion);
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a curated playlist with its tracks")
    public PlaylistDetail get(@PathVariable long id) {
        return service.get(id);
    }

    @PostMapping
    @Operation(summary = "Create a curated playlist", security = @SecurityRequirement(name = "adminToken"))
    public ResponseEntity<PlaylistDetail> create(@Valid @RequestBody PlaylistRequest request) {
        PlaylistDetail created = service.create(request);
        return ResponseEntity.created(URI.create("/api/v1/curated-playlists/" + created.id()))
                .body(created);
    }

    @PutMapping("/{id}")
    @Operation(
            summary = "Replace a curated playlist (emotion, name, description and all tracks)",
            security = @SecurityRequirement(name = "adminToken"))
    public PlaylistDetail replace(@PathVariable long id, @Valid @RequestBody PlaylistRequest request) {
        return service.replace(id, request);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a curated playlist", security = @SecurityRequirement(name = "adminToken"))
    public ResponseEntity<Void> delete(@PathVariable long id) {
        service.delete(id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/tracks")
    @Operation(
            summary =
                    "Add a track (at a 0-based position, default the end); adding a track already there changes nothing",
            security = @SecurityRequirement(name = "adminToken"))
    public PlaylistDetail addTrack(@PathVariable long id, @Valid @RequestBody AddTrackRequest request) {
        return service.addTrack(id, request.trackId(), request.position());
    }

    @DeleteMapping("/{id}/tracks/{trackId}")
    @Operation(summary = "Remove a track", security = @SecurityRequirement(name = "adminToken"))
    public ResponseEntity<Void> removeTrack(@PathVariable long id, @PathVariable long trackId) {
        service.removeTrack(id, trackId);
        return ResponseEntity.noContent().build();
    }
}
