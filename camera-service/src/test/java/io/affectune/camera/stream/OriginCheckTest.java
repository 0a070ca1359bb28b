package io.affectune.camera.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Pages of other sites can neither create camera sessions nor open a frame WebSocket (403 problem+json, before
 * any upgrade); the gateway's origin, the request's own origin (also as the gateway forwards it) and clients
 * that send no Origin at all still can.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "camera.emotion.url=http://127.0.0.1:9",
            "camera.playlist.url=http://127.0.0.1:9",
            "camera.session.create-per-client-per-minute=0"
        })
@DirtiesContext
class OriginCheckTest {

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    @Test
    void sessionCreationFromAnotherSiteIsRefused() {
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "https://evil.example")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:affectune:problem:origin-not-allowed")
                .jsonPath("$.status")
                .isEqualTo(403);
        // a look-alike of the gateway's origin is another origin
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "http://localhost:8080.evil.example")
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    @Test
    void theGatewaysOriginTheRequestsOwnAndNoOriginAreAllowed() {
        http.post().uri("/api/v1/sessions").exchange().expectStatus().isCreated();
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "http://localhost:8080")
                .exchange()
                .expectStatus()
                .isCreated();
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "http://127.0.0.1:8080")
                .exchange()
                .expectStatus()
                .isCreated();
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "http://localhost:" + port)
                .exchange()
                .expectStatus()
                .isCreated();
        // behind a gateway published elsewhere: the origin it forwards is the page's own
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "https://affectune.example")
                .header("X-Forwarded-Host", "affectune.example")
                .header("X-Forwarded-Proto", "https")
                .exchange()
                .expectStatus()
                .isCreated();
        http.post()
                .uri("/api/v1/sessions")
                .header("Origin", "https://evil.example")
                .header("X-Forwarded-Host", "affectune.example")
                .header("X-Forwarded-Proto", "https")
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    @Test
    void aWebSocketFromAnotherSiteIsRefusedBeforeTheUpgrade() throws IOException {
        String[] refused = upgrade("https://evil.example");
        assertThat(refused[0]).startsWith("HTTP/1.1 403");
        assertThat(refused[0].toLowerCase())
                .contains("content-type: application/problem+json")
                .doesNotContain("upgrade: websocket");
        assertThat(refused[1]).contains("urn:affectune:problem:origin-not-allowed");

        assertThat(upgrade("http://localhost:8080")[0]).startsWith("HTTP/1.1 101");
        assertThat(upgrade(null)[0]).startsWith("HTTP/1.1 101");
    }

    /** A raw upgrade request: the answer's head and (for a refusal) its body. */
    private String[] upgrade(String origin) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /api/v1/sessions/origin-" + System.nanoTime() + "/stream HTTP/1.1\r\n"
                                    + "Host: localhost:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                    + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            String body = "";
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    body = new String(
                            in.readNBytes(Integer.parseInt(line.substring(15).trim())), StandardCharsets.UTF_8);
                }
            }
            return new String[] {text, body};
        }
    }
}
