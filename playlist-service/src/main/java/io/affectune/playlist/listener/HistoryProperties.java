package io.affectune.playlist.listener;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a consenting listener's history is kept (see README "Listeners").
 *
 * @param retention       history older than this is never returned and is deleted by the retention job (HISTORY_RETENTION)
 * @param cleanupInterval how often the retention job deletes expired rows (HISTORY_CLEANUP_INTERVAL)
 */
@ConfigurationProperties("affectune.history")
public record HistoryProperties(
        @DefaultValue("30d") Duration retention,
        @DefaultValue("1h") Duration cleanupInterval) {}
