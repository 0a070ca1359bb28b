package io.affectune.playlist.listener;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The listener tables (V2__listeners.sql) in plain SQL: listener rows, consent, history events and the
 * forget-me deletion. History inserts check consent in the same statement, so no row is ever written for a
 * listener who has not opted in, whatever the caller believed.
 */
@Repository
public class ListenerRepository {

    private final JdbcTemplate jdbc;

    ListenerRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Makes sure the listener has a row (first feedback or consent of a new id); history stays off. */
    public void ensure(UUID id) {
        jdbc.update("INSERT INTO listener (id) VALUES (?) ON CONFLICT (id) DO NOTHING", id);
    }

    public Optional<Listener> find(UUID id) {
        return jdbc
                .query(
                        "SELECT id, history_consent, consent_changed_at, created_at FROM listener WHERE id = ?",
                        (rs, n) -> new Listener(
                                rs.getObject(1, UUID.class),
                                rs.getBoolean(2),
                                instant(rs.getTimestamp(3)),
                                instant(rs.getTimestamp(4))),
                        id)
                .stream()
                .findFirst();
    }

    public Listener setConsent(UUID id, boolean consent) {
        return jdbc.queryForObject(
                """
                INSERT INTO listener (id, history_consent, consent_changed_at) VALUES (?, ?, now())
                ON CONFLICT (id) DO UPDATE SET history_consent = EXCLUDED.history_consent,
                                               consent_changed_at = EXCLUDED.consent_changed_at
                RETURNING id, history_consent, consent_changed_at, created_at
                """,
                (rs, n) -> new Listener(
                        rs.getObject(1, UUID.class),
                        rs.getBoolean(2),
                        instant(rs.getTimestamp(3)),
                        instant(rs.getTimestamp(4))),
                id,
                consent);
    }

    /** Records a history event only if the listener has consented; true when a row was written. */
    public boolean recordIfConsented(UUID id, String kind, String emotion, List<Long> trackIds) {
        return jdbc.update("""
                INSERT INTO listener_event (listener_id, kind, emotion, track_ids)
                SELECT id, ?, ?, ?::bigint[] FROM listener WHERE id = ? AND history_consent
                """, kind, emotion, arrayLiteral(trackIds), id) == 1;
    }

    /** The listener's history since a moment, newest first, at most limit events. */
    public List<HistoryEvent> history(UUID id, Instant since, int limit) {
        return jdbc.query(
                """
                SELECT e.kind, e.emotion, e.track_ids, t.title, t.artist, e.created_at
                FROM listener_event e
                LEFT JOIN track t ON e.kind IN ('like', 'skip') AND t.id = e.track_ids[1]
                WHERE e.listener_id = ? AND e.created_at >= ?
                ORDER BY e.created_at DESC, e.id DESC LIMIT ?
                """,
                (rs, n) -> {
                    Array ids = rs.getArray(3);
                    List<Long> trackIds = ids == null ? List.of() : Arrays.asList((Long[]) ids.getArray());
                    return new HistoryEvent(
                            rs.getString(1),
                            rs.getString(2),
                            List.copyOf(trackIds),
                            rs.getString(4),
                            rs.getString(5),
                            instant(rs.getTimestamp(6)));
                },
                id,
                Timestamp.from(since),
                limit);
    }

    public int deleteHistory(UUID id) {
        return jdbc.update("DELETE FROM listener_event WHERE listener_id = ?", id);
    }

    /** History rows older than the cutoff, across all listeners: the retention job. */
    public int deleteHistoryBefore(Instant cutoff) {
        return jdbc.update("DELETE FROM listener_event WHERE created_at < ?", Timestamp.from(cutoff));
    }

    /**
     * Every row about the listener: history, personal tallies, feedback events and the listener row. Their
     * likes and skips are first taken out of the global per-emotion tallies, so nothing derived from them
     * stays behind either. The caller runs this in one transaction.
     */
    public Forgotten forget(UUID id) {
        int talliesAdjusted = jdbc.update("""
                UPDATE feedback_tally g SET likes = g.likes - p.likes, skips = g.skips - p.skips
                FROM listener_feedback_tally p
                WHERE p.listener_id = ? AND g.emotion = p.emotion AND g.track_id = p.track_id
                """, id);
        jdbc.update(
                "DELETE FROM feedback_tally WHERE likes <= 0 AND skips <= 0 AND (emotion, track_id) IN "
                        + "(SELECT emotion, track_id FROM listener_feedback_tally WHERE listener_id = ?)",
                id);
        int events = jdbc.update("DELETE FROM listener_event WHERE listener_id = ?", id);
        int tallies = jdbc.update("DELETE FROM listener_feedback_tally WHERE listener_id = ?", id);
        int feedback = jdbc.update("DELETE FROM feedback WHERE listener_id = ?", id);
        int listeners = jdbc.update("DELETE FROM listener WHERE id = ?", id);
        return new Forgotten(listeners == 1, events, tallies, feedback, talliesAdjusted);
    }

    /** What a forget-me removed (for the log; the answer is 204 either way). */
    public record Forgotten(
            boolean existed, int historyEvents, int personalTallies, int feedbackEvents, int globalTalliesAdjusted) {}

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String arrayLiteral(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }
}
