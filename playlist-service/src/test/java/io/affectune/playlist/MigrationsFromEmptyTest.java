package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.testsupport.PostgresTestDatabase;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** db-migrations applies to an empty database, and applying it again (a restart) changes nothing. */
class MigrationsFromEmptyTest {

    @Test
    void migratesAnEmptyDatabaseOnceAndIsIdempotentOnRestart() {
        try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
            DriverManagerDataSource dataSource =
                    new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
            Flyway flyway = Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .cleanDisabled(true)
                    .load();

            MigrateResult first = flyway.migrate();
            MigrateResult again = flyway.migrate();

            assertThat(first.migrationsExecuted).isEqualTo(2);
            assertThat(first.targetSchemaVersion).isEqualTo("2");
            assertThat(again.migrationsExecuted).isZero();
            flyway.validate();
            List<String> tables = new JdbcTemplate(dataSource)
                    .queryForList(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
                            String.class);
            assertThat(tables)
                    .contains(
                            "track",
                            "curated_playlist",
                            "curated_playlist_track",
                            "feedback",
                            "feedback_tally",
                            "seed_run",
                            "flyway_schema_history",
                            "listener",
                            "listener_feedback_tally",
                            "listener_event");
            assertThat(new JdbcTemplate(dataSource)
                            .queryForObject(
                                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'track_features_knn'",
                                    Integer.class))
                    .isEqualTo(1);
        }
    }
}
