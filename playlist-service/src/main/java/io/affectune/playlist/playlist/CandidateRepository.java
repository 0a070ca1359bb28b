package io.affectune.playlist.playlist;

import io.affectune.playlist.playlist.PlaylistDtos.Target;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Candidates for a playlist: the tracks nearest to each target point on the valence/energy plane
 * (GiST k-nearest-neighbour on point(valence, energy)), the emotion's curated tracks and the tracks
 * listeners liked most for it, each with its curated flag and feedback tally.
 *
 * <p>Catalogue tracks are written only by the one-time seed and never change afterwards, so the
 * nearest-neighbour id lists and the track rows are cached in memory (bounded by the catalogue size);
 * curated lists and feedback change through the API and come from {@link RankingSignals}.
 */
@Repository
class CandidateRepository {

    private static final String TRACK_COLUMNS =
            "id, spotify_id, title, artist, album, genres, valence, energy, match_key";

    private final JdbcTemplate jdbc;
    private final RankingSignals signals;
    private final Map<Target, long[]> nearestCache = new ConcurrentHashMap<>();
    private final int nearestLength;
    private final Map<Long, Candidate> trackCache = new ConcurrentHashMap<>();

    CandidateRepository(JdbcTemplate jdbc, RankingSignals signals, RankingProperties settings) {
        this.jdbc = jdbc;
        this.signals = signals;
        // perPoint is max(candidatePool, 4 * limit); plus room for every excluded id
        this.nearestLength =
                Math.max(settings.candidatePool(), 4 * PlaylistService.MAX_LIMIT) + PlaylistService.MAX_EXCLUDE;
    }

    /** perPoint nearest tracks to each point that are not excluded, plus curated and liked ones; never excluded ones. */
    List<Candidate> find(String emotion, List<Target> points, int perPoint, Set<Long> excluded) {
        Set<Long> ids = new LinkedHashSet<>();
        for (Target point : points) {
            // perPoint + |excluded| nearest ids keep perPoint after dropping the excluded: the same as filtering in
            // SQL.
            long[] nearest = nearest(point);
            int taken = 0;
            for (int i = 0; i < nearest.length && taken < perPoint; i++) {
                if (!excluded.contains(nearest[i])) {
                    ids.add(nearest[i]);
                    taken++;
                }
            }
        }
        RankingSignals.Snapshot signals = this.signals.of(emotion);
        ids.addAll(signals.curated());
        ids.addAll(signals.mostLiked());
        ids.removeAll(excluded);
        Map<Long, Candidate> tracks = tracks(ids);
        List<Candidate> candidates = new ArrayList<>(ids.size());
        for (Long id : ids) {
            Candidate track = tracks.get(id);
            if (track == null) {
                continue;
            }
            boolean curated = signals.curated().contains(id);
            int[] tally = signals.tallies().get(id);
            candidates.add(
                    !curated && tally == null
                            ? track
                            : track.with(curated, tally == null ? 0 : tally[0], tally == null ? 0 : tally[1]));
        }
        return candidates;
    }

    /**
     * The nearest ids to a point, nearest first: one list per point (a handful per emotion), as long as
     * the largest request can need, so the cache stays small whatever limits callers ask for.
     */
    private long[] nearest(Target point) {
        return nearestCache.computeIfAbsent(
                point,
                p -> jdbc.queryForList("""
                SELECT id FROM track WHERE valence IS NOT NULL AND energy IS NOT NULL AND artist IS NOT NULL
                ORDER BY point(valence, energy) <-> point(?, ?) LIMIT ?
                """, Long.class, p.valence(), p.energy(), nearestLength).stream()
                        .mapToLong(Long::longValue)
                        .toArray());
    }

    /** Catalogue rows by id (cached), without curated flag or tallies. */
    Map<Long, Candidate> tracks(Collection<Long> ids) {
        Map<Long, Candidate> found = new HashMap<>(ids.size() * 2);
        List<Long> missing = new ArrayList<>();
        for (Long id : ids) {
            Candidate cached = trackCache.get(id);
            if (cached != null) {
                found.put(id, cached);
            } else {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            jdbc.query(
                    "SELECT " + TRACK_COLUMNS + " FROM track WHERE id = ANY (?::bigint[])",
                    rs -> {
                        Candidate track = map(rs);
                        trackCache.put(track.id(), track);
                        found.put(track.id(), track);
                    },
                    arrayLiteral(missing));
        }
        return found;
    }

    private static String arrayLiteral(Collection<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }

    private static Candidate map(ResultSet rs) throws SQLException {
        Array genres = rs.getArray("genres");
        List<String> genreList = genres == null ? List.of() : List.copyOf(Arrays.asList((String[]) genres.getArray()));
        return new Candidate(
                rs.getLong("id"),
                rs.getString("spotify_id"),
                rs.getString("title"),
                rs.getString("artist"),
                rs.getString("album"),
                genreList,
                (Double) rs.getObject("valence"),
                (Double) rs.getObject("energy"),
                rs.getString("match_key"),
                false,
                0,
                0);
    }
}
