package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.affectune.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Whole service lifecycles on a database of their own: two instances starting together seed once,
 * data written through the API survives a restart, and the service answers 503 while the database
 * is away and recovers by itself when it returns.
 */
class RestartAndRecoveryTest {

    private static PostgresTestDatabase db;

    @BeforeAll
    static void freshDatabase() {
        db = PostgresTestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void twoInstancesSeedOnceAndWrittenDataSurvivesARestart() throws Exception {
        long curatedId;
        long likedTrack;
        CompletableFuture<ConfigurableApplicationContext> first =
                CompletableFuture.supplyAsync(() -> start("secret-1"));
        CompletableFuture<ConfigurableApplicationContext> second =
                CompletableFuture.supplyAsync(() -> start("secret-1"));
        try (ConfigurableApplicationContext a = first.get();
                ConfigurableApplicationContext b = second.get()) {
            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM seed_run", Integer.class))
                    .isEqualTo(1);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM track", Integer.class))
                    .isEqualTo(29_156);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM curated_playlist", Integer.class))
                    .isEqualTo(7);

            Http httpA = new Http(port(a));
            Http httpB = new Http(port(b));
            likedTrack = httpB.get("/api/v1/playlists/sad?limit=10")
                    .json()
                    .at("/tracks/9/id")
                    .asLong();
            Http.Response created = httpA.post(
                    "/api/v1/curated-playlists",
                    Http.json(Map.of("emotion", "sad", "name", "Rainy day", "trackIds", List.of(likedTrack))),
                    "Authorization",
                    "Bearer secret-1");
            assertThat(created.status()).isEqualTo(201);
            curatedId = created.json().get("id").asLong();
            assertThat(httpB.post(
                                    "/api/v1/feedback",
                                    Http.json(Map.of(
                                            "trackId",
                                            likedTrack,
                                            "emotion",
                                            "sad",
                                            "signal",
                                            "like",
                                            "sessionId",
                                            "restart-test")))
                            .status())
                    .isEqualTo(201);
            // the other instance sees the curated list at once, and the feedback in its rankings within
            // RANKING_SIGNALS_TTL
            assertThat(httpB.get("/api/v1/curated-playlists/" + curatedId).status())
                    .isEqualTo(200);
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) {
                seen = httpA.get("/api/v1/playlists/sad?limit=10").body().contains("liked it 1");
                if (!seen) {
                    Thread.sleep(200);
                }
            }
            assertThat(seen)
                    .as("instance A ranks with the feedback given on instance B")
                    .isTrue();
        }

        // restarted without ADMIN_TOKEN: the data is still there, the seed is not repeated, and writes are off
        try (ConfigurableApplicationContext restarted = start("")) {
            Http http = new Http(port(restarted));
            JsonNode curated =
                    http.get("/api/v1/curated-playlists/" + curatedId).json();
            assertThat(curated.get("name").asText()).isEqualTo("Rainy day");
            assertThat(PlaylistApiTest.ids(curated.get("tracks"))).containsExactly(likedTrack);
            JsonNode sad = http.get("/api/v1/playlists/sad?limit=10").json().get("tracks");
            JsonNode liked = PlaylistApiTest.stream(sad)
                    .filter(t -> t.get("id").asLong() == likedTrack)
                    .findFirst()
                    .orElseThrow();
            assertThat(liked.at("/reason/text").asText()).contains("liked it 1");
            assertThat(restarted
                            .getBean(JdbcTemplate.class)
                            .queryForObject("SELECT count(*) FROM track", Integer.class))
                    .isEqualTo(29_156);

            Http.Response disabled =
                    http.delete("/api/v1/curated-playlists/" + curatedId, "Authorization", "Bearer secret-1");
            assertThat(disabled.status()).isEqualTo(403);
            assertThat(disabled.json().get("detail").asText()).contains("ADMIN_TOKEN");
        }
    }

    @Test
    void answers503WhileTheDatabaseIsAwayAndRecoversByItself() throws Exception {
        try (ConfigurableApplicationContext app = start("")) {
            Http http = new Http(port(app));
            assertThat(http.get("/api/v1/tracks?q=love").status()).isEqualTo(200);
            String name = databaseName();
            try {
                admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
                admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");

                Http.Response down = http.get("/api/v1/tracks?q=love");
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.contentType()).startsWith("application/problem+json");
                assertThat(down.json().get("title").asText()).isEqualTo("Database unavailable");
                assertThat(http.get("/api/v1/playlists/happy?limit=5").status()).isEqualTo(503);
                assertThat(http.post("/api/v1/feedback", "{\"trackId\":1,\"emotion\":\"happy\",\"signal\":\"like\"}")
                                .status())
                        .isEqualTo(503);
                Http.Response health = http.get("/actuator/health");
                assertThat(health.status()).isEqualTo(503);
                assertThat(health.json().at("/components/db/status").asText()).isEqualTo("DOWN");
            } finally {
                admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            int status = 0;
            while (System.nanoTime() < deadline && status != 200) {
                status = http.get("/api/v1/tracks?q=love").status();
                if (status != 200) {
                    Thread.sleep(250);
                }
            }
            assertThat(status).isEqualTo(200);
            assertThat(http.get("/api/v1/playlists/happy?limit=5").status()).isEqualTo(200);
            assertThat(http.get("/actuator/health").status()).isEqualTo(200);
        }
    }

    private static ConfigurableApplicationContext start(String adminToken) {
        Map<String, Object> properties = new HashMap<>(SharedTestDatabase.datasourceProperties(db));
        properties.put("server.port", "0");
        properties.put("affectune.admin-token", adminToken);
        properties.put("spring.datasource.hikari.connection-timeout", "1000");
        // command-line arguments outrank application.yml (builder properties would not)
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(PlaylistServiceApplication.class)
                .listeners(new LoggingSetUpInTurn(true), new LoggingSetUpInTurn(false))
                .run(args);
    }

    private static final ReentrantLock LOGGING_SET_UP = new ReentrantLock();

    /**
     * Spring Boot sets up the JVM-wide Logback context at the start of every application; two applications
     * starting at once in one JVM race on it (a ConcurrentModificationException inside Logback, seen in CI). Two
     * instances are two processes in real life, so only that step is taken in turn here: the lock is taken before
     * Boot's logging listener sees the start and given back once the environment (and logging) is prepared; the
     * rest of the two starts, the seeding race this test is about included, runs at the same time.
     */
    private record LoggingSetUpInTurn(boolean take) implements ApplicationListener<SpringApplicationEvent>, Ordered {
        @Override
        public void onApplicationEvent(SpringApplicationEvent event) {
            if (take && event instanceof ApplicationStartingEvent) {
                LOGGING_SET_UP.lock();
            } else if (!take
                    && (event instanceof ApplicationEnvironmentPreparedEvent || event instanceof ApplicationFailedEvent)
                    && LOGGING_SET_UP.isHeldByCurrentThread()) {
                LOGGING_SET_UP.unlock();
            }
        }

        @Override
        public int getOrder() {
            return take ? Ordered.HIGHEST_PRECEDENCE : Ordered.LOWEST_PRECEDENCE;
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((ServletWebServerApplicationContext) context).getWebServer().getPort();
    }

    private static String databaseName() {
        String url = db.jdbcUrl();
        String path = url.substring(url.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    private static void admin(String sql) throws SQLException {
        String url = db.jdbcUrl();
        String adminUrl = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        try (Connection connection = DriverManager.getConnection(adminUrl, db.username(), db.password());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
