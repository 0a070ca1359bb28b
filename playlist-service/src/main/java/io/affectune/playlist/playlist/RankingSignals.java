package io.affectune.playlist.playlist;

import io.affectune.playlist.listener.ListenerForgotten;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What ranking knows about an emotion besides audio features: which tracks are on its curated lists
 * and the like/skip tallies. Read per emotion and kept for a short time (RANKING_SIGNALS_TTL) so most
 * playlist requests need no database round trip. Writes on this instance drop the entry once their
 * transaction commits, so this instance sees its own changes at once; another instance sees them
 * within the TTL.
 */
@Component
public class RankingSignals {

    static final int LIKED_LIMIT = 50;

    private final JdbcTemplate jdbc;
    private final long ttlNanos;
    private final Map<String, Snapshot> cache = new ConcurrentHashMap<>();

    RankingSignals(JdbcTemplate jdbc, RankingProperties settings) {
        this.jdbc = jdbc;
        this.ttlNanos = settings.signalsTtl().toNanos();
    }

    /** Curated track ids, tallies and the most-liked tracks of one emotion. */
    record Snapshot(Set<Long> curated, Map<Long, int[]> tallies, List<Long> mostLiked, long loadedAt) {}

    Snapshot of(String emotion) {
        Snapshot cached = cache.get(emotion);
        long now = System.nanoTime();
        if (cached != null && now - cached.loadedAt() < ttlNanos) {
            return cached;
        }
        Snapshot fresh = load(emotion, now);
        if (ttlNanos > 0) {
            cache.put(emotion, fresh);
        }
        return fresh;
    }

    /** Forget an emotion's signals after the current transaction commits (at once without one). */
    public void changed(String emotion) {
        afterCommit(() -> cache.remove(emotion));
    }

    /** Forget every emotion's signals (a curated list moved between emotions, or was deleted). */
    public void changedAll() {
        afterCommit(cache::clear);
    }

    /** A forgotten listener's likes and skips left the global tallies: drop every cached tally once that commits. */
    @TransactionalEventListener
    void listenerForgotten(ListenerForgotten event) {
        cache.clear();
    }

    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }

    private Snapshot load(String emotion, long now) {
        Set<Long> curated = new HashSet<>(jdbc.queryForList("""
                SELECT DISTINCT cpt.track_id FROM curated_playlist_track cpt
                JOIN curated_playlist cp ON cp.id = cpt.playlist_id WHERE cp.emotion = ?
                """, Long.class, emotion));
        Map<Long, int[]> tallies = new HashMap<>();
        jdbc.query(
                "SELECT track_id, likes, skips FROM feedback_tally WHERE emotion = ?",
                rs -> {
                    tallies.put(rs.getLong(1), new int[] {rs.getInt(2), rs.getInt(3)});
                },
                emotion);
        List<Long> mostLiked = tallies.entrySet().stream()
                .filter(e -> e.getValue()[0] > e.getValue()[1])
                .sorted(Comparator.<Map.Entry<Long, int[]>>comparingInt(e -> e.getValue()[1] - e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .limit(LIKED_LIMIT)
                .map(Map.Entry::getKey)
                .toList();
        return new Snapshot(Set.copyOf(curated), Map.copyOf(tallies), mostLiked, now);
    }
}
