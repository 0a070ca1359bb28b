package io.affectune.playlist.curated;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A hand-made list of tracks for one emotion; ranking gives its tracks a bonus. */
@Entity
@Table(name = "curated_playlist")
public class CuratedPlaylist {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String emotion;
    private String name;
    private String description;
    private String source;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    @ElementCollection
    @CollectionTable(name = "curated_playlist_track", joinColumns = @JoinColumn(name = "playlist_id"))
    @OrderColumn(name = "position")
    @Column(name = "track_id")
    private List<Long> trackIds = new ArrayList<>();

    protected CuratedPlaylist() {}

    public CuratedPlaylist(String emotion, String name, String description, String source, List<Long> trackIds) {
        this.emotion = emotion;
        this.name = name;
        this.description = description;
        this.source = source;
        this.trackIds = new ArrayList<>(trackIds);
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
    }

    public void replace(String emotion, String name, String description, List<Long> trackIds) {
        this.emotion = emotion;
        this.name = name;
        this.description = description;
        this.trackIds.clear();
        this.trackIds.addAll(trackIds);
        touch();
    }

    /** Adds at position (0-based; null or past the end appends); false when already present. */
    public boolean addTrack(long trackId, Integer position) {
        if (trackIds.contains(trackId)) {
            return false;
        }
        int at = position == null || position > trackIds.size() ? trackIds.size() : position;
        trackIds.add(at, trackId);
        touch();
        return true;
    }

    public boolean removeTrack(long trackId) {
        boolean removed = trackIds.remove(Long.valueOf(trackId));
        if (removed) {
            touch();
        }
        return removed;
    }

    private void touch() {
        updatedAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public String getEmotion() {
        return emotion;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public String getSource() {
        return source;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public List<Long> getTrackIds() {
        return List.copyOf(trackIds);
    }
}
