package io.affectune.playlist.playlist;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A listener's own like/skip tallies for one emotion, read on every personal playlist request (one
 * primary-key range scan of listener_feedback_tally, newest first, at most RANKING_PERSONAL_MAX_EVENTS
 * rows). Not cached: a like must change the listener's very next playlist on whichever instance serves it.
 */
@Component
class PersonalSignals {

    private final JdbcTemplate jdbc;
    private final PersonalRankingProperties settings;

    PersonalSignals(JdbcTemplate jdbc, PersonalRankingProperties settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** track id to {likes, skips} of this listener for this emotion. */
    Map<Long, int[]> tallies(UUID listener, String emotion) {
        Map<Long, int[]> tallies = new HashMap<>();
        jdbc.query("""
                SELECT track_id, likes, skips FROM listener_feedback_tally
                WHERE listener_id = ? AND emotion = ? ORDER BY updated_at DESC LIMIT ?
                """, rs -> { tallies.put(rs.getLong(1), new int[] {rs.getInt(2), rs.getInt(3)}); },
                listener, emotion, settings.maxEvents());
        return tallies;
    }
}
