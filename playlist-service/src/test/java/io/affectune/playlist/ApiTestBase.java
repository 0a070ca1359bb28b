package io.affectune.playlist;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The one Spring context most tests share: the real service on a random port over the shared,
 * seeded test database, with writes enabled by a known admin token.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"affectune.admin-token=" + ApiTestBase.ADMIN_TOKEN})
public abstract class ApiTestBase {

    public static final String ADMIN_TOKEN = "test-admin-token-7f3a";
    public static final String[] AUTH = {"Authorization", "Bearer " + ADMIN_TOKEN};

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    protected Http http;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        SharedTestDatabase.datasourceProperties(SharedTestDatabase.get()).forEach((k, v) -> registry.add(k, () -> v));
    }

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    protected long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }
}
