package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.playlist.seed.CatalogSeeder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The first start seeds the catalogue exactly once, with the numbers the source data implies. */
class SeedCatalogueTest extends ApiTestBase {

    @Autowired
    CatalogSeeder seeder;

    @Test
    void flywayAppliedTheSchemaFromDbMigrations() {
        assertThat(count("SELECT count(*) FROM flyway_schema_history WHERE success AND version = '1'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM flyway_schema_history WHERE NOT success"))
                .isZero();
    }

    @Test
    void tracksAreDeduplicatedBySpotifyIdAcrossBothSources() {
        // 32,833 rows of spotify_songs are 28,356 distinct tracks; data_moods adds 686, of which 108 are already there
        assertThat(count("SELECT count(*) FROM track WHERE source = 'spotify_songs'"))
                .isEqualTo(28_356);
        assertThat(count("SELECT count(*) FROM track WHERE source = 'data_moods'"))
                .isEqualTo(578);
        assertThat(count("SELECT count(*) FROM track WHERE mood IS NOT NULL")).isEqualTo(686);
        assertThat(count("SELECT count(*) FROM track WHERE spotify_id IS NOT NULL"))
                .isEqualTo(28_934);
        assertThat(count("SELECT count(DISTINCT spotify_id) FROM track")).isEqualTo(28_934);
        // seed-playlist rows that match no catalogue track are kept, without features
        assertThat(count("SELECT count(*) FROM track WHERE source = 'seed_playlist'"))
                .isEqualTo(222);
        assertThat(count("SELECT count(*) FROM track WHERE source = 'seed_playlist' AND valence IS NULL"))
                .isEqualTo(222);
        assertThat(count("SELECT count(*) FROM track")).isEqualTo(29_156);
    }

    @Test
    void featuresAndGenresAreLoaded() {
        Map<String, Object> track = jdbc.queryForMap(
                "SELECT title, artist, valence, energy, danceability, tempo, acousticness, popularity, array_to_string(genres, '|') AS genres "
                        + "FROM track WHERE spotify_id = '6f807x0ima9a1j3VPbc7VN'");
        assertThat(track.get("title")).isEqualTo("I Don't Care (with Justin Bieber) - Loud Luxury Remix");
        assertThat(track.get("artist")).isEqualTo("Ed Sheeran");
        assertThat(track.get("valence")).isEqualTo(0.518);
        assertThat(track.get("energy")).isEqualTo(0.916);
        assertThat(track.get("tempo")).isEqualTo(122.036);
        assertThat(track.get("popularity")).isEqualTo(66);
        assertThat((String) track.get("genres")).contains("pop", "dance pop");
        assertThat(count("SELECT count(*) FROM track WHERE source = 'spotify_songs' AND cardinality(genres) = 0"))
                .isZero();
        // the five rows with R's NA as title and artist (four distinct tracks) stay in the catalogue, kept out of
        // playlists
        assertThat(count("SELECT count(*) FROM track WHERE title = '(unknown title)' AND artist IS NULL"))
                .isEqualTo(4);
    }

    @Test
    void originalPlaylistsBecomeCuratedListsMatchedToTheCatalogue() {
        List<Map<String, Object>> lists = jdbc.queryForList("""
                SELECT cp.emotion, count(cpt.track_id) AS tracks FROM curated_playlist cp
                JOIN curated_playlist_track cpt ON cpt.playlist_id = cp.id WHERE cp.source = 'seed'
                GROUP BY cp.emotion ORDER BY cp.emotion""");
        // fearful.csv lists 15 songs twice and sad.csv one; the rest are distinct
        assertThat(lists)
                .extracting(m -> m.get("emotion") + "=" + m.get("tracks"))
                .containsExactly(
                        "angry=30", "disgust=40", "fear=15", "happy=80", "neutral=100", "sad=99", "surprise=50");
        // "Locked Out of Heaven" by Bruno Mars is on the original happy list and in spotify_songs
        assertThat(count("""
                SELECT count(*) FROM curated_playlist_track cpt JOIN curated_playlist cp ON cp.id = cpt.playlist_id
                JOIN track t ON t.id = cpt.track_id
                WHERE cp.emotion = 'happy' AND t.title = 'Locked Out of Heaven' AND t.spotify_id IS NOT NULL""")).isEqualTo(1);
    }

    @Test
    void disgustHasItsOwnListOfHarshEnergeticTracksNotTheSadOne() {
        assertThat(count("""
                SELECT count(*) FROM curated_playlist_track d JOIN curated_playlist dp ON dp.id = d.playlist_id
                JOIN curated_playlist_track s ON s.track_id = d.track_id JOIN curated_playlist sp ON sp.id = s.playlist_id
                WHERE dp.emotion = 'disgust' AND sp.emotion = 'sad'""")).isZero();
        assertThat(count("""
                SELECT count(*) FROM curated_playlist_track cpt JOIN curated_playlist cp ON cp.id = cpt.playlist_id
                JOIN track t ON t.id = cpt.track_id
                WHERE cp.emotion = 'disgust' AND NOT (t.valence < 0.30 AND t.energy > 0.65
                  AND t.genres && ARRAY['hard rock', 'gangster rap', 'trap'])""")).isZero();
        assertThat(count("""
                SELECT count(DISTINCT lower(t.artist)) FROM curated_playlist_track cpt JOIN curated_playlist cp ON cp.id = cpt.playlist_id
                JOIN track t ON t.id = cpt.track_id WHERE cp.emotion = 'disgust'""")).isEqualTo(40);
    }

    @Test
    void seedingAgainChangesNothing() {
        assertThat(seeder.seed()).isEmpty();
        assertThat(count("SELECT count(*) FROM track")).isEqualTo(29_156);
        assertThat(count("SELECT count(*) FROM seed_run")).isEqualTo(1);
    }
}
