package io.affectune.playlist.playlist;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A listener's own like/skip tallies for one emotion and whether they consented to history, read on every
 * personal playlist request in one round trip (the listener row by primary key, then a primary-key range
 * scan of listener_feedback_tally, newest first, at most RANKING_PERSONAL_MAX_EVENTS rows). Not cached: a
 * like must change the listener's very next playlist on whichever instance serves it.
 */
@Component
class PersonalSignals {

    private final JdbcTemplate jdbc;
    private final PersonalRankingProperties settings;

    PersonalSignals(JdbcTemplate jdbc, PersonalRankingProperties settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** tallies: track id to {likes, skips} for this emotion; historyConsent: may a "shown" event be kept. */
    record Signals(Map<Long, int[]> tallies, boolean historyConsent) {}

    /** An unknown listener (no row yet) has no tallies and no consent. */
    Signals of(UUID listener, String emotion) {
        Map<Long, int[]> tallies = new HashMap<>();
        boolean[] consent = {false};
        jdbc.query(
                """
                SELECT l.history_consent, t.track_id, t.likes, t.skips FROM listener l
                LEFT JOIN LATERAL (SELECT track_id, likes, skips, updated_at FROM listener_feedback_tally
                                   WHERE listener_id = l.id AND emotion = ? ORDER BY updated_at DESC LIMIT ?) t ON true
                WHERE l.id = ?
                """,
                rs -> {
                    consent[0] = rs.getBoolean(1);
                    long track = rs.getLong(2);
                    if (!rs.wasNull()) {
                        tallies.put(track, new int[] {rs.getInt(3), rs.getInt(4)});
                    }
                },
                emotion,
                settings.maxEvents(),
                listener);
        return new Signals(tallies, consent[0]);
    }
}
