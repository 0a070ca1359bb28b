package io.affectune.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A tight per-client budget and a service that is down: 429 and 503, both as problem+json with Retry-After. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "affectune.gateway.rate-limit.requests-per-second=0.5",
        "affectune.gateway.rate-limit.burst=4",
})
class GatewayLimitsAndOutagesTest {

    static final StubService PLAYLIST = new StubService("playlist-service");
    static final StubService CAMERA = new StubService("camera-service");
    static final int CLOSED_PORT = closedPort();

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("affectune.gateway.emotion-service-url", () -> "http://127.0.0.1:" + CLOSED_PORT);
        registry.add("affectune.gateway.playlist-service-url", PLAYLIST::url);
        registry.add("affectune.gateway.camera-service-url", CAMERA::url);
    }

    @AfterAll
    static void stopStubs() {
        PLAYLIST.close();
        CAMERA.close();
    }

    @LocalServerPort
    int port;

    WebTestClient http() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void aServiceThatIsDownIs503ProblemAndHealthSaysWhich() throws InterruptedException {
        http().post().uri("/api/v1/predictions").contentType(MediaType.IMAGE_JPEG).bodyValue(new byte[100])
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectBody()
                .jsonPath("$.status").isEqualTo(503)
                .jsonPath("$.service").isEqualTo("emotion-service")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("emotion-service cannot be reached"));

        http().get().uri("/actuator/health").exchange()
                .expectStatus().isEqualTo(503)
                .expectBody()
                .jsonPath("$.components.downstream.components.emotion-service.status").isEqualTo("DOWN")
                .jsonPath("$.components.downstream.components.playlist-service.status").isEqualTo("UP")
                .jsonPath("$.components.downstream.components.camera-service.status").isEqualTo("UP");
        // the gateway itself stays alive: its liveness does not depend on the services behind it
        http().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

        Thread.sleep(2_100); // one token back, so the next test starts from a known budget
    }

    @Test
    void aClientOverItsBudgetGets429WithRetryAfter() throws InterruptedException {
        Thread.sleep(8_100); // a full bucket whatever ran before
        for (int i = 0; i < 4; i++) {
            http().get().uri("/api/v1/playlists/happy").exchange().expectStatus().isOk();
        }
        http().get().uri("/api/v1/playlists/happy").exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("Retry-After", "2")
                .expectBody()
                .jsonPath("$.status").isEqualTo(429)
                .jsonPath("$.retryAfterSeconds").isEqualTo(2)
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("Wait 2 s"));
        // the dashboard and the health checks are not rate limited
        http().get().uri("/").exchange().expectStatus().isOk();
        Thread.sleep(2_100);
        http().get().uri("/api/v1/playlists/happy").exchange().expectStatus().isOk();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
