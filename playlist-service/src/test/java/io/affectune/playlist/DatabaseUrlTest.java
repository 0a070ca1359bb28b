package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.affectune.playlist.database.DatabaseUrlEnvironmentPostProcessor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void postgresqlUrlsBecomeJdbcUrlsWithTheirCredentials() {
        Map<String, Object> p = DatabaseUrlEnvironmentPostProcessor.toJdbcProperties(
                "postgresql://music:s%40cret@db.example:6543/affectune?sslmode=require");
        assertThat(p)
                .containsEntry("spring.datasource.url", "jdbc:postgresql://db.example:6543/affectune?sslmode=require")
                .containsEntry("spring.datasource.username", "music")
                .containsEntry("spring.datasource.password", "s@cret");
    }

    @Test
    void shortSchemeAndNoCredentialsLeaveTheUsernameToDatabaseUsername() {
        Map<String, Object> p = DatabaseUrlEnvironmentPostProcessor.toJdbcProperties("postgres://localhost/affectune");
        assertThat(p).containsOnly(Map.entry("spring.datasource.url", "jdbc:postgresql://localhost/affectune"));
    }

    @Test
    void jdbcUrlsPassThroughUntouched() {
        assertThat(DatabaseUrlEnvironmentPostProcessor.toJdbcProperties("jdbc:postgresql://localhost:5432/affectune"))
                .isEmpty();
    }

    @Test
    void aUrlWithoutHostIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> DatabaseUrlEnvironmentPostProcessor.toJdbcProperties("postgresql:///affectune"))
                .hasMessageContaining("DATABASE_URL");
    }
}
