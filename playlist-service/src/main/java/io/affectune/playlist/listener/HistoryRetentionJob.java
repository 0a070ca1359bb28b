package io.affectune.playlist.listener;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes history rows older than HISTORY_RETENTION every HISTORY_CLEANUP_INTERVAL, so kept history is
 * bounded in time even for listeners who never come back. (Reads already hide expired rows.)
 */
@Component
class HistoryRetentionJob {

    private static final Logger log = LoggerFactory.getLogger(HistoryRetentionJob.class);

    private final ListenerService listeners;

    HistoryRetentionJob(ListenerService listeners) {
        this.listeners = listeners;
    }

    @Scheduled(
            initialDelayString = "${affectune.history.cleanup-interval:1h}",
            fixedDelayString = "${affectune.history.cleanup-interval:1h}")
    void deleteExpired() {
        try {
            int deleted = listeners.deleteExpiredHistory();
            if (deleted > 0) {
                log.info("History retention: deleted {} expired event(s)", deleted);
            }
        } catch (RuntimeException e) {
            // the database may be away for a moment; the next run catches up
            log.warn("History retention run failed: {}", e.toString());
        }
    }
}
