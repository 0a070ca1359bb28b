package io.affectune.camera.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * With CAMERA_INSTANCE_ID set, the ids of new sessions name this instance (the gateway routes every request
 * on them here), stay URL-safe and unguessable, and work like any other id; a name the gateway could not turn
 * into a host stops the start.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "camera.emotion.url=http://127.0.0.1:9",
            "camera.playlist.url=http://127.0.0.1:9",
            "camera.session.instance-id=camera-service-3"
        })
@DirtiesContext
class SessionInstanceIdTest {

    @Autowired
    WebTestClient http;

    @Test
    void aNewSessionsIdNamesThisInstanceAndTheSessionAnswersUnderIt() {
        String id = http.post()
                .uri("/api/v1/sessions")
                .header("X-Forwarded-For", "192.0.2.31")
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(SessionView.class)
                .returnResult()
                .getResponseBody()
                .id();

        assertThat(id).matches("camera-service-3_[A-Za-z0-9_-]{22}");
        assertThat(SessionRegistry.VALID_ID.matcher(id).matches()).isTrue();
        http.get()
                .uri("/api/v1/sessions/" + id)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.id")
                .isEqualTo(id);
        http.delete().uri("/api/v1/sessions/" + id).exchange().expectStatus().isNoContent();
    }

    @Test
    void idsAreRandomAndPlainUuidsWithoutAnInstance() {
        InstanceIds named = new InstanceIds("camera-service-12");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = named.newId();
            assertThat(id).startsWith("camera-service-12_").hasSize("camera-service-12_".length() + 22);
            seen.add(id);
        }
        assertThat(seen).hasSize(1000);
        // the longest name allowed still gives an id within the 64 characters every id may have
        String longest = "c".repeat(40);
        assertThat(SessionRegistry.VALID_ID
                        .matcher(new InstanceIds(longest).newId())
                        .matches())
                .isTrue();

        assertThat(new InstanceIds("").newId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(new InstanceIds((String) null).instance()).isEmpty();
    }

    @Test
    void aNameThatIsNoDnsLabelStopsTheStart() {
        for (String bad : new String[] {"Camera-1", "camera_1", "camera.1", "-camera", "camera-", "c".repeat(41)}) {
            assertThatThrownBy(() -> new InstanceIds(bad))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CAMERA_INSTANCE_ID")
                    .hasMessageContaining("DNS label");
        }
    }

    record SessionView(String id) {}
}
