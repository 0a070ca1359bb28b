package io.affectune.playlist.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.playlist.PlaylistServiceApplication;
import io.affectune.playlist.SharedTestDatabase;
import io.affectune.testsupport.PostgresTestDatabase;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The scheduled retention job itself (not only the delete it calls): on its own database, without the
 * catalogue seed, with HISTORY_RETENTION=2d and HISTORY_CLEANUP_INTERVAL=300ms, an event older than the
 * retention disappears by itself while a recent one stays.
 */
class HistoryRetentionJobTest {

    @Test
    void theScheduledJobDeletesExpiredHistoryAndKeepsTheRest() throws Exception {
        try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
            Map<String, Object> properties = new HashMap<>(SharedTestDatabase.datasourceProperties(db));
            properties.put("spring.main.web-application-type", "none");
            properties.put("affectune.seed.enabled", "false");
            properties.put("affectune.history.retention", "2d");
            properties.put("affectune.history.cleanup-interval", "300ms");
            String[] args = properties.entrySet().stream()
                    .map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
            try (ConfigurableApplicationContext context =
                    new SpringApplicationBuilder(PlaylistServiceApplication.class).run(args)) {
                JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                UUID listener = UUID.randomUUID();
                jdbc.update("INSERT INTO listener (id, history_consent) VALUES (?, true)", listener);
                jdbc.update(
                        "INSERT INTO listener_event (listener_id, kind, emotion, created_at) "
                                + "VALUES (?, 'mood', 'sad', now() - interval '3 days')",
                        listener);
                jdbc.update(
                        "INSERT INTO listener_event (listener_id, kind, emotion, created_at) "
                                + "VALUES (?, 'mood', 'happy', now() - interval '1 day')",
                        listener);

                long deadline = System.nanoTime() + 20_000_000_000L;
                while (count(jdbc, listener, "sad") > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(count(jdbc, listener, "sad")).as("the expired event").isZero();
                assertThat(count(jdbc, listener, "happy"))
                        .as("the event within the retention")
                        .isEqualTo(1);
            }
        }
    }

    private static long count(JdbcTemplate jdbc, UUID listener, String emotion) {
        Long n = jdbc.queryForObject(
                "SELECT count(*) FROM listener_event WHERE listener_id = ? AND emotion = ?",
                Long.class,
                listener,
                emotion);
        return n == null ? 0 : n;
    }
}
