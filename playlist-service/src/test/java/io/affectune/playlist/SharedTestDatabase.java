package io.affectune.playlist;

import io.affectune.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * One fresh PostgreSQL database (Testcontainers where Docker runs, else a new affectune_test_* database
 * on TEST_DB_HOST:TEST_DB_PORT) shared by every test that reuses the cached Spring context, seeded once
 * by the first context; dropped when the test JVM exits.
 */
public final class SharedTestDatabase {

    private static PostgresTestDatabase database;

    private SharedTestDatabase() {}

    public static synchronized PostgresTestDatabase get() {
        if (database == null) {
            database = PostgresTestDatabase.create();
            PostgresTestDatabase created = database;
            Runtime.getRuntime().addShutdownHook(new Thread(created::close, "drop-test-database"));
        }
        return database;
    }

    /** spring.datasource.* for a database. */
    public static Map<String, Object> datasourceProperties(PostgresTestDatabase db) {
        return Map.of(
                "spring.datasource.url",
                db.jdbcUrl(),
                "spring.datasource.username",
                db.username(),
                "spring.datasource.password",
                db.password());
    }

    public static void execute(PostgresTestDatabase db, String sql) {
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
