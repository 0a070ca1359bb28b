package io.affectune.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A fresh, empty PostgreSQL database for one test run: from Testcontainers where a Docker engine
 * exists, else a new database on the local server (TEST_DB_HOST, TEST_DB_PORT, TEST_DB_USER,
 * TEST_DB_PASSWORD; default 127.0.0.1:5432, postgres). Closing it drops the database.
 */
public final class PostgresTestDatabase implements AutoCloseable {

    private static final String POSTGRES_IMAGE = "postgres:16-alpine";

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final PostgreSQLContainer<?> container;
    private final String adminUrl;
    private final String databaseName;

    private PostgresTestDatabase(
            String jdbcUrl,
            String username,
            String password,
            PostgreSQLContainer<?> container,
            String adminUrl,
            String databaseName) {
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.container = container;
        this.adminUrl = adminUrl;
        this.databaseName = databaseName;
    }

    public static PostgresTestDatabase create() {
        if (dockerAvailable()) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>(POSTGRES_IMAGE);
            container.start();
            return new PostgresTestDatabase(
                    container.getJdbcUrl(), container.getUsername(), container.getPassword(), container, null, null);
        }
        String host = env("TEST_DB_HOST", "127.0.0.1");
        String port = env("TEST_DB_PORT", "5432");
        String user = env("TEST_DB_USER", "postgres");
        String password = env("TEST_DB_PASSWORD", "");
        String adminUrl = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        String name = "affectune_test_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(adminUrl, user, password, "CREATE DATABASE " + name);
        return new PostgresTestDatabase(
                "jdbc:postgresql://" + host + ":" + port + "/" + name, user, password, null, adminUrl, name);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The variables the project's services read their database from. */
    public Map<String, String> asEnv() {
        return Map.of("DATABASE_URL", jdbcUrl, "DATABASE_USERNAME", username, "DATABASE_PASSWORD", password);
    }

    @Override
    public void close() {
        if (container != null) {
            container.stop();
        } else {
            execute(adminUrl, username, password, "DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)");
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL at " + url + " refused '" + sql + "': " + e.getMessage()
                            + " (is it running? pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)",
                    e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
