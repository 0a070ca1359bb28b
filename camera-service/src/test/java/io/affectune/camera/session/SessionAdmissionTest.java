package io.affectune.camera.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * A flood of session creations can no longer lock everybody out: one client gets a few new sessions a
 * minute (then 429 with Retry-After), and a full registry answers 503 with Retry-After, never 500. Clients
 * behind the gateway are told apart by X-Forwarded-For (trusted from loopback, as the gateway is here).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "camera.emotion.url=http://127.0.0.1:9",
            "camera.playlist.url=http://127.0.0.1:9",
            "camera.session.max-sessions=5",
            "camera.session.create-per-client-per-minute=3"
        })
@DirtiesContext
class SessionAdmissionTest {

    @Autowired
    WebTestClient http;

    @Autowired
    SessionRegistry registry;

    @LocalServerPort
    int port;

    private WebTestClient.ResponseSpec create(String client) {
        return http.post()
                .uri("/api/v1/sessions")
                .header("X-Forwarded-For", client)
                .exchange();
    }

    @Test
    void perClientRateThenAFullRegistryAreRefusedWithRetryAfter() {
        for (Session s : registry.all()) {
            registry.remove(s.id());
        }
        for (int i = 0; i < 3; i++) {
            create("203.0.113.7").expectStatus().isCreated();
        }
        create("203.0.113.7")
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader()
                .value(
                        HttpHeaders.RETRY_AFTER,
                        v -> assertThat(Integer.parseInt(v)).isBetween(1, 20))
                .expectBody()
                .jsonPath("$.detail")
                .value(d -> assertThat((String) d).contains("3 per minute"));

        // another client still gets its sessions until the registry (5) is full
        create("198.51.100.2").expectStatus().isCreated();
        create("198.51.100.2").expectStatus().isCreated();
        create("198.51.100.2")
                .expectStatus()
                .isEqualTo(503)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader()
                .value(
                        HttpHeaders.RETRY_AFTER,
                        v -> assertThat(Integer.parseInt(v)).isPositive())
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("No free session");
        assertThat(registry.all()).hasSize(5);

        // a WebSocket that would create a sixth session is closed with 1013 (try again later), not accepted
        AtomicReference<CloseStatus> closed = new AtomicReference<>();
        new ReactorNettyWebSocketClient()
                .execute(
                        URI.create(
                                "ws://127.0.0.1:" + port + "/api/v1/sessions/flood-" + System.nanoTime() + "/stream"),
                        ws -> ws.closeStatus().doOnNext(closed::set).then())
                .block(Duration.ofSeconds(10));
        assertThat(closed.get()).isNotNull();
        assertThat(closed.get().getCode()).isEqualTo(1013);

        // existing sessions keep working, and freeing one lets a new one in
        String existing = registry.all().iterator().next().id();
        http.get().uri("/api/v1/sessions/" + existing).exchange().expectStatus().isOk();
        http.delete()
                .uri("/api/v1/sessions/" + existing)
                .exchange()
                .expectStatus()
                .isNoContent();
        create("192.0.2.9").expectStatus().isCreated();
    }

    @Test
    void aMalformedSessionIdClosesTheWebSocketWithPolicyViolation() {
        AtomicReference<CloseStatus> closed = new AtomicReference<>();
        new ReactorNettyWebSocketClient()
                .execute(
                        URI.create("ws://127.0.0.1:" + port + "/api/v1/sessions/not.valid/stream"),
                        ws -> ws.closeStatus().doOnNext(closed::set).then())
                .block(Duration.ofSeconds(10));
        assertThat(closed.get()).isNotNull();
        assertThat(closed.get().getCode()).isEqualTo(1008);
        assertThat(closed.get().getReason()).contains("1-64 letters");
    }
}
