package io.affectune.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresTestDatabaseTest {

    @Test
    void givesAnEmptyDatabaseThatIsGoneAfterClose() throws SQLException {
        String url;
        try (PostgresTestDatabase database = PostgresTestDatabase.create()) {
            url = database.jdbcUrl();
            try (Connection connection = DriverManager.getConnection(url, database.username(), database.password());
                    Statement statement = connection.createStatement();
                    ResultSet tables = statement.executeQuery(
                            "select count(*) from information_schema.tables where table_schema = 'public'")) {
                tables.next();
                assertThat(tables.getInt(1)).isZero();
            }
            assertThat(database.asEnv()).containsEntry("DATABASE_URL", url);
        }
        String finalUrl = url;
        assertThatThrownBy(() ->
                        DriverManager.getConnection(finalUrl, "postgres", "").close())
                .isInstanceOf(SQLException.class);
    }

    @Test
    void eachDatabaseIsNew() {
        try (PostgresTestDatabase first = PostgresTestDatabase.create();
                PostgresTestDatabase second = PostgresTestDatabase.create()) {
            assertThat(first.jdbcUrl()).isNotEqualTo(second.jdbcUrl());
        }
    }

    @Test
    void missingJarIsExplained() {
        assertThatThrownBy(() -> ServiceProcess.start("no-such-module", java.util.Map.of()))
                .hasMessageContaining("No executable jar of no-such-module");
    }
}
