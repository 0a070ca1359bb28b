package io.affectune.playlist.playlist;

import java.util.List;

/** A track that may enter a playlist, with what ranking needs to know about it. */
record Candidate(
        long id,
        String spotifyId,
        String title,
        String artist,
        String album,
        List<String> genres,
        Double valence,
        Double energy,
        String matchKey,
        boolean curated,
        int likes,
        int skips) {

    boolean hasFeatures() {
        return valence != null && energy != null;
    }

    Candidate with(boolean curatedNow, int likesNow, int skipsNow) {
        return new Candidate(
                id, spotifyId, title, artist, album, genres, valence, energy, matchKey, curatedNow, likesNow, skipsNow);
    }

    String artistKey() {
        return artist == null ? "" : artist.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
