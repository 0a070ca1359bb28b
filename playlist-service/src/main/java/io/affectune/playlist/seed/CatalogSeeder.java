package io.affectune.playlist.seed;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seeds the catalogue once, before the service takes requests: tracks of spotify_songs and
 * data_moods (bulk COPY), the original curated playlists matched to catalogue tracks, and a
 * disgust list built from the catalogue. One transaction under a PostgreSQL advisory lock:
 * a second instance starting at the same time waits, then finds the seed_run row and skips;
 * a crash half-way leaves nothing behind.
 */
@Component
public class CatalogSeeder implements SmartInitializingSingleton {

    static final String SEED_NAME = "catalogue-v1";
    /** Arbitrary, fixed: the advisory lock key of the catalogue seed ("AffSeed1" in ASCII). */
    static final long LOCK_KEY = 0x4166665365656431L;

    /** The original playlists: file under seed/playlists and the emotion it belongs to. */
    static final Map<String, String> ORIGINAL_PLAYLISTS = originalPlaylists();

    /** Disgust list: unpleasant (valence below 0.30), energetic (above 0.65), aggressive sub-genres. */
    static final List<String> DISGUST_GENRES = List.of("hard rock", "gangster rap", "trap");

    static final double DISGUST_MAX_VALENCE = 0.30;
    static final double DISGUST_MIN_ENERGY = 0.65;
    static final int DISGUST_SIZE = 40;

    private static final Logger log = LoggerFactory.getLogger(CatalogSeeder.class);
    private static final String COPY_SQL =
            "COPY track (spotify_id, title, artist, album, valence, energy, danceability, "
                    + "tempo, acousticness, popularity, genres, mood, source, match_key) FROM STDIN WITH (FORMAT csv)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final SeedProperties properties;

    public CatalogSeeder(
            JdbcTemplate jdbc, TransactionTemplate transactions, DataSource dataSource, SeedProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.dataSource = dataSource;
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (properties.enabled()) {
            seed();
        }
    }

    /** Seeds unless already done; empty when another run (this or another instance) did it before. */
    public Optional<SeedReport> seed() {
        return Optional.ofNullable(transactions.execute(status -> {
            jdbc.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
            Integer done =
                    jdbc.queryForObject("SELECT count(*) FROM seed_run WHERE name = ?", Integer.class, SEED_NAME);
            if (done != null && done > 0) {
                log.info("Catalogue already seeded ({}); nothing to do", SEED_NAME);
                return null;
            }
            SeedReport report = seedInTransaction();
            jdbc.update("INSERT INTO seed_run (name, details) VALUES (?, ?)", SEED_NAME, report.toString());
            log.info("Seeded the catalogue: {}", report);
            return report;
        }));
    }

    private SeedReport seedInTransaction() {
        long started = System.nanoTime();
        Map<String, SeedTrack> catalogue = readSpotifySongs();
        int spotifySongs = catalogue.size();
        int dataMoodsOnly = mergeDataMoods(catalogue);
        copyTracks(catalogue.values());

        Map<String, List<String>> seedKeys = new LinkedHashMap<>();
        Map<String, SeedTrack> seedRows = new LinkedHashMap<>();
        ORIGINAL_PLAYLISTS.forEach((file, emotion) -> seedKeys.put(emotion, readSeedPlaylist(file, seedRows)));
        Map<String, Long> idsByKey = bestTrackPerKey(seedRows.keySet());
        int matched = 0;
        for (List<String> keys : seedKeys.values()) {
            matched += (int) keys.stream().filter(idsByKey::containsKey).count();
        }
        List<SeedTrack> unmatched = seedRows.values().stream()
                .filter(t -> !idsByKey.containsKey(t.matchKey()))
                .toList();
        copyTracks(unmatched);
        jdbc.query("SELECT match_key, id FROM track WHERE source = 'seed_playlist'", rs -> {
            idsByKey.put(rs.getString(1), rs.getLong(2));
        });

        Map<String, Integer> curated = new LinkedHashMap<>();
        seedKeys.forEach((emotion, keys) -> {
            List<Long> ids = keys.stream().map(idsByKey::get).distinct().toList();
            insertCurated(
                    emotion,
                    "Original " + emotion + " playlist",
                    "The preset " + emotion
                            + " playlist of the original system, matched to the catalogue by title and artist.",
                    ids);
            curated.put(emotion, ids.size());
        });
        List<Long> disgust = disgustTrackIds();
        insertCurated(
                "disgust",
                "Disgust: harsh and heavy",
                "Built from the catalogue (the original's disgust list was a copy of sad): one track per artist with valence < "
                        + DISGUST_MAX_VALENCE + ", energy > " + DISGUST_MIN_ENERGY + " in "
                        + String.join(", ", DISGUST_GENRES)
                        + ", most popular first.",
                disgust);
        curated.put("disgust", disgust.size());

        // Fresh statistics, so the planner uses the indexes from the first request on
        jdbc.execute("ANALYZE track");
        jdbc.execute("ANALYZE curated_playlist_track");
        Integer tracks = jdbc.queryForObject("SELECT count(*) FROM track", Integer.class);
        return new SeedReport(
                tracks == null ? 0 : tracks,
                spotifySongs,
                dataMoodsOnly,
                unmatched.size(),
                matched,
                curated,
                (System.nanoTime() - started) / 1_000_000);
    }

    private Map<String, SeedTrack> readSpotifySongs() {
        Map<String, SeedTrack> tracks = new LinkedHashMap<>(40_000);
        try (Reader reader = new InputStreamReader(
                new GZIPInputStream(open("seed/spotify_songs.csv.gz"), 1 << 16), StandardCharsets.UTF_8)) {
            for (CSVRecord row : headerFormat().parse(reader)) {
                String id = row.get("track_id");
                SeedTrack track = tracks.get(id);
                if (track == null) {
                    track = new SeedTrack();
                    track.spotifyId = id;
                    String title = row.get("track_name");
                    String artist = row.get("track_artist");
                    // R's missing value marker: five rows have neither title nor artist
                    boolean missing = "NA".equals(title) && "NA".equals(artist);
                    track.title = missing ? "(unknown title)" : title;
                    track.artist = missing ? null : artist;
                    track.album = missing ? null : emptyToNull(row.get("track_album_name"));
                    track.valence = number(row.get("valence"));
                    track.energy = number(row.get("energy"));
                    track.danceability = number(row.get("danceability"));
                    track.tempo = number(row.get("tempo"));
                    track.acousticness = number(row.get("acousticness"));
                    track.popularity = integer(row.get("track_popularity"));
                    track.source = "spotify_songs";
                    tracks.put(id, track);
                }
                addGenre(track, row.get("playlist_genre"));
                addGenre(track, row.get("playlist_subgenre"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read seed/spotify_songs.csv.gz", e);
        }
        return tracks;
    }

    /** Adds data_moods tracks not already present; labels present ones with their mood. Returns how many were new. */
    private int mergeDataMoods(Map<String, SeedTrack> catalogue) {
        int added = 0;
        try (Reader reader = new InputStreamReader(open("seed/data_moods.csv"), StandardCharsets.UTF_8)) {
            for (CSVRecord row : headerFormat().parse(reader)) {
                String id = row.get("id");
                SeedTrack known = catalogue.get(id);
                if (known != null) {
                    known.mood = row.get("mood").toLowerCase(java.util.Locale.ROOT);
                    continue;
                }
                SeedTrack track = new SeedTrack();
                track.spotifyId = id;
                track.title = row.get("name");
                track.artist = emptyToNull(row.get("artist"));
                track.album = emptyToNull(row.get("album"));
                track.valence = number(row.get("valence"));
                track.energy = number(row.get("energy"));
                track.danceability = number(row.get("danceability"));
                track.tempo = number(row.get("tempo"));
                track.acousticness = number(row.get("acousticness"));
                track.popularity = integer(row.get("popularity"));
                track.mood = row.get("mood").toLowerCase(java.util.Locale.ROOT);
                track.source = "data_moods";
                catalogue.put(id, track);
                added++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read seed/data_moods.csv", e);
        }
        return added;
    }

    /** Reads one original playlist; returns its match keys in order, each once, and collects the rows. */
    private List<String> readSeedPlaylist(String file, Map<String, SeedTrack> rows) {
        Set<String> keys = new LinkedHashSet<>();
        try (Reader reader = new InputStreamReader(open("seed/playlists/" + file), StandardCharsets.UTF_8)) {
            for (CSVRecord row : headerFormat().parse(reader)) {
                SeedTrack track = new SeedTrack();
                track.title = row.get("Name").strip();
                track.artist = emptyToNull(row.get("Artist").strip());
                track.album = emptyToNull(row.get("Album").strip());
                track.source = "seed_playlist";
                String key = track.matchKey();
                keys.add(key);
                rows.putIfAbsent(key, track);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read seed/playlists/" + file, e);
        }
        return new ArrayList<>(keys);
    }

    /** For each key the catalogue track to use: the most popular version, then the smallest Spotify id. */
    private Map<String, Long> bestTrackPerKey(Set<String> keys) {
        Map<String, Long> ids = new HashMap<>();
        jdbc.query("""
                SELECT DISTINCT ON (match_key) match_key, id FROM track WHERE match_key = ANY (?)
                ORDER BY match_key, popularity DESC NULLS LAST, spotify_id
                """, ps -> ps.setArray(1, ps.getConnection().createArrayOf("text", keys.toArray())), rs -> {
            ids.put(rs.getString(1), rs.getLong(2));
        });
        return ids;
    }

    private List<Long> disgustTrackIds() {
        return jdbc.query(
                con -> {
                    var ps = con.prepareStatement("""
                    SELECT id FROM (
                      SELECT id, popularity,
                             row_number() OVER (PARTITION BY lower(artist) ORDER BY popularity DESC NULLS LAST, id) AS nth
                      FROM track
                      WHERE valence < ? AND energy > ? AND artist IS NOT NULL AND genres && ?
                    ) ranked WHERE nth = 1
                    ORDER BY popularity DESC NULLS LAST, id LIMIT ?
                    """);
                    ps.setDouble(1, DISGUST_MAX_VALENCE);
                    ps.setDouble(2, DISGUST_MIN_ENERGY);
                    ps.setArray(3, con.createArrayOf("text", DISGUST_GENRES.toArray()));
                    ps.setInt(4, DISGUST_SIZE);
                    return ps;
                },
                (rs, n) -> rs.getLong(1));
    }

    private void insertCurated(String emotion, String name, String description, List<Long> trackIds) {
        Long id = jdbc.queryForObject(
                "INSERT INTO curated_playlist (emotion, name, description, source) "
                        + "VALUES (?, ?, ?, 'seed') RETURNING id",
                Long.class,
                emotion,
                name,
                description);
        List<Object[]> rows = new ArrayList<>(trackIds.size());
        for (int i = 0; i < trackIds.size(); i++) {
            rows.add(new Object[] {id, i, trackIds.get(i)});
        }
        jdbc.batchUpdate("INSERT INTO curated_playlist_track (playlist_id, position, track_id) VALUES (?, ?, ?)", rows);
    }

    private void copyTracks(Iterable<SeedTrack> tracks) {
        StringWriter csv = new StringWriter(1 << 22);
        try (CSVPrinter printer = new CSVPrinter(csv, CSVFormat.POSTGRESQL_CSV)) {
            for (SeedTrack t : tracks) {
                printer.printRecord(
                        t.spotifyId,
                        t.title,
                        t.artist,
                        t.album,
                        t.valence,
                        t.energy,
                        t.danceability,
                        t.tempo,
                        t.acousticness,
                        t.popularity,
                        arrayLiteral(t.genres),
                        t.mood,
                        t.source,
                        t.matchKey());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The connection of the surrounding transaction, so the COPY commits or rolls back with the rest.
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL, new StringReader(csv.toString()));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("COPY of seed tracks failed: " + e.getMessage(), e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    static String arrayLiteral(Iterable<String> values) {
        StringBuilder literal = new StringBuilder("{");
        for (String value : values) {
            if (literal.length() > 1) {
                literal.append(',');
            }
            literal.append('"')
                    .append(value.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return literal.append('}').toString();
    }

    private static void addGenre(SeedTrack track, String genre) {
        if (genre != null && !genre.isBlank()) {
            track.genres.add(genre.strip());
        }
    }

    private static CSVFormat headerFormat() {
        return CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setAllowMissingColumnNames(true)
                .get();
    }

    private static InputStream open(String path) throws IOException {
        return new ClassPathResource(path).getInputStream();
    }

    private static String emptyToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static Double number(String text) {
        return text == null || text.isBlank() || "NA".equals(text) ? null : Double.valueOf(text);
    }

    private static Integer integer(String text) {
        return text == null || text.isBlank() || "NA".equals(text) ? null : Integer.valueOf(text);
    }

    private static Map<String, String> originalPlaylists() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("angry.csv", "angry");
        files.put("fearful.csv", "fear");
        files.put("happy.csv", "happy");
        files.put("neutral.csv", "neutral");
        files.put("sad.csv", "sad");
        files.put("surprised.csv", "surprise");
        return java.util.Collections.unmodifiableMap(files);
    }
}
