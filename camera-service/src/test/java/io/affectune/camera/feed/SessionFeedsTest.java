package io.affectune.camera.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * A session's live feeds (server-sent events and the MJPEG preview) open at once, before any frame (their headers
 * are sent: a client knows it watches), and end when the session ends: a client watching a session that is
 * deleted sees its streams complete instead of hanging on a session that no longer exists.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"camera.emotion.url=http://127.0.0.1:9", "camera.playlist.url=http://127.0.0.1:9"})
class SessionFeedsTest {

    @Autowired
    WebTestClient http;

    @Test
    void theEventAndPreviewStreamsEndWhenTheSessionIsDeleted() {
        String id = (String) http.post()
                .uri("/api/v1/sessions")
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody()
                .get("id");
        WebTestClient watching =
                http.mutate().responseTimeout(Duration.ofSeconds(10)).build();
        Flux<String> events = watching.get()
                .uri("/api/v1/sessions/" + id + "/events")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseBody();
        Flux<byte[]> previews = watching.get()
                .uri("/api/v1/sessions/" + id + "/preview.mjpg")
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(byte[].class)
                .getResponseBody();

        http.delete().uri("/api/v1/sessions/" + id).exchange().expectStatus().isNoContent();

        // both complete well before the 15 s keep-alive comment, with no frame on them (none was sent)
        List<String> sent = events.collectList().block(Duration.ofSeconds(5));
        assertThat(sent).isEmpty(); // the opening comment is no event
        String preview = previews.map(bytes -> new String(bytes, StandardCharsets.ISO_8859_1))
                .collect(Collectors.joining())
                .block(Duration.ofSeconds(5));
        assertThat(preview).doesNotContain("image/jpeg");
        // and the session is gone for every later request
        http.get()
                .uri("/api/v1/sessions/" + id + "/events")
                .exchange()
                .expectStatus()
                .isNotFound();
    }
}
