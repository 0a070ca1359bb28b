package io.affectune.playlist.catalog;

import java.util.List;

/** A catalogue track as the API shows it. */
public record TrackView(
        long id,
        String spotifyId,
        String title,
        String artist,
        String album,
        String spotifyUrl,
        List<String> genres,
        Double valence,
        Double energy,
        Double danceability,
        Double tempo,
        Double acousticness,
        Integer popularity,
        String mood) {

    public static TrackView of(Track track) {
        return new TrackView(
                track.getId(),
                track.getSpotifyId(),
                track.getTitle(),
                track.getArtist(),
                track.getAlbum(),
                spotifyUrl(track.getSpotifyId()),
                List.of(track.getGenres()),
                track.getValence(),
                track.getEnergy(),
                track.getDanceability(),
                track.getTempo(),
                track.getAcousticness(),
                track.getPopularity(),
                track.getMood());
    }

    public static String spotifyUrl(String spotifyId) {
        return spotifyId == null ? null : "https://open.spotify.com/track/" + spotifyId;
    }
}
