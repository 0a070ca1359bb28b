package io.affectune.playlist.catalog;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Immutable;

/** A catalogue track. Written only by the seeder (bulk COPY); read-only through JPA. */
@Entity
@Immutable
@Table(name = "track")
public class Track {

    @Id
    private Long id;

    @Column(name = "spotify_id")
    private String spotifyId;

    private String title;
    private String artist;
    private String album;
    private Double valence;
    private Double energy;
    private Double danceability;
    private Double tempo;
    private Double acousticness;
    private Integer popularity;

    @Column(columnDefinition = "text[]")
    private String[] genres;

    private String mood;
    private String source;

    @Column(name = "search_text", insertable = false, updatable = false)
    private String searchText;

    protected Track() {}

    public Long getId() {
        return id;
    }

    public String getSpotifyId() {
        return spotifyId;
    }

    public String getTitle() {
        return title;
    }

    public String getArtist() {
        return artist;
    }

    public String getAlbum() {
        return album;
    }

    public Double getValence() {
        return valence;
    }

    public Double getEnergy() {
        return energy;
    }

    public Double getDanceability() {
        return danceability;
    }

    public Double getTempo() {
        return tempo;
    }

    public Double getAcousticness() {
        return acousticness;
    }

    public Integer getPopularity() {
        return popularity;
    }

    public String[] getGenres() {
        return genres == null ? new String[0] : genres.clone();
    }

    public String getMood() {
        return mood;
    }

    public String getSource() {
        return source;
    }
}
