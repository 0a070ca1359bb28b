package io.affectune.playlist.seed;

import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** A track on its way into the catalogue. */
final class SeedTrack {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    String spotifyId;
    String title;
    String artist;
    String album;
    Double valence;
    Double energy;
    Double danceability;
    Double tempo;
    Double acousticness;
    Integer popularity;
    final TreeSet<String> genres = new TreeSet<>();
    String mood;
    String source;

    String matchKey() {
        return matchKey(title, artist);
    }

    /** Case- and whitespace-insensitive identity of a song: how seed rows without ids find their track. */
    static String matchKey(String title, String artist) {
        return normalize(title) + '\u001f' + normalize(artist);
    }

    static String normalize(String text) {
        if (text == null) {
            return "";
        }
        return WHITESPACE.matcher(text.strip()).replaceAll(" ").toLowerCase(Locale.ROOT);
    }
}
