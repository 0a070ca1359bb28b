package io.affectune.playlist.seed;

import java.util.Map;

/**
 * What a seed run wrote.
 *
 * @param tracks            catalogue tracks in total
 * @param spotifySongs      distinct tracks of spotify_songs.csv.gz
 * @param dataMoodsOnly     tracks of data_moods.csv not already in spotify_songs
 * @param seedOnly          seed-playlist rows matching no catalogue track, inserted without features
 * @param seedRowsMatched   seed-playlist rows (after de-duplication within a list) matched to catalogue tracks
 * @param curatedTracks     tracks per emotion on the seeded curated lists
 */
public record SeedReport(
        int tracks,
        int spotifySongs,
        int dataMoodsOnly,
        int seedOnly,
        int seedRowsMatched,
        Map<String, Integer> curatedTracks,
        long millis) {}
