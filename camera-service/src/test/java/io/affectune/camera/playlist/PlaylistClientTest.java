package io.affectune.camera.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.affectune.camera.config.CameraProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The playlist request camera-service makes, against a real HTTP server standing in for playlist-service. */
class PlaylistClientTest {

    @Test
    void passesTheListenerIdOnAndLeavesItOutWithoutOne() {
        List<String> seen = new CopyOnWriteArrayList<>();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> {
                    seen.add(req.uri() + " " + req.requestHeaders().get("X-Listener-Id", "-"));
                    return res.header("Content-Type", "application/json")
                            .sendByteArray(Mono.just("{\"tracks\":[]}".getBytes(StandardCharsets.UTF_8)));
                })
                .bindNow();
        try {
            CameraProperties properties = new CameraProperties(null, null, null, null, null,
                    new CameraProperties.Playlist("http://127.0.0.1:" + server.port(), Duration.ofSeconds(5), 15,
                            Duration.ofSeconds(10)), null, null, null);
            PlaylistClient client = new PlaylistClient(properties, WebClient.builder());
            String listener = "3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b";

            Optional<JsonNode> personal = client.playlist("happy", List.of(), Optional.of(listener)).block();
            Optional<JsonNode> global = client.playlist("sad", List.of()).block();

            assertThat(personal).isPresent();
            assertThat(global).isPresent();
            assertThat(seen).containsExactly("/api/v1/playlists/happy?limit=15 " + listener,
                    "/api/v1/playlists/sad?limit=15 -");
        } finally {
            server.disposeNow();
        }
    }
}
