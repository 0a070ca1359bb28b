package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /api/v1/curated-playlists: reads for everyone, writes with the admin bearer token. */
class CuratedPlaylistApiTest extends ApiTestBase {

    @Test
    void listsTheSevenSeededPlaylists() {
        Http.Response response = http.get("/api/v1/curated-playlists");
        assertThat(response.status()).isEqualTo(200);
        List<String> seeded = PlaylistApiTest.stream(response.json())
                .filter(p -> p.get("source").asText().equals("seed"))
                .map(p -> p.get("emotion").asText())
                .toList();
        assertThat(seeded).containsExactlyInAnyOrder("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");

        JsonNode happy = http.get("/api/v1/curated-playlists?emotion=happy").json();
        assertThat(PlaylistApiTest.stream(happy).map(p -> p.get("emotion").asText()))
                .containsOnly("happy");
        assertThat(http.get("/api/v1/curated-playlists?emotion=grumpy").status())
                .isEqualTo(400);
    }

    @Test
    void readsOnePlaylistWithItsTracksInOrder() {
        long id = seededId("happy");
        JsonNode playlist = http.get("/api/v1/curated-playlists/" + id).json();
        assertThat(playlist.get("tracks")).hasSize(80);
        assertThat(playlist.at("/tracks/0/title").asText()).isEqualTo("Leave The Door Open");
        assertThat(playlist.at("/tracks/0/artist").asText()).isEqualTo("Bruno Mars");

        Http.Response missing = http.get("/api/v1/curated-playlists/99999");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(http.get("/api/v1/curated-playlists/abc").status()).isEqualTo(400);
    }

    @Test
    void createReplaceAddRemoveDelete() {
        List<Long> tracks = PlaylistApiTest.ids(
                http.get("/api/v1/playlists/neutral?limit=5").json().get("tracks"));

        Http.Response created = http.post(
                "/api/v1/curated-playlists",
                Http.json(Map.of(
                        "emotion",
                        "Surprised",
                        "name",
                        "Sudden lift",
                        "description",
                        "test",
                        "trackIds",
                        tracks.subList(0, 3))),
                AUTH);
        assertThat(created.status()).isEqualTo(201);
        long id = created.json().get("id").asLong();
        assertThat(created.header("Location")).endsWith("/api/v1/curated-playlists/" + id);
        assertThat(created.json().get("emotion").asText()).isEqualTo("surprise");
        assertThat(PlaylistApiTest.ids(created.json().get("tracks"))).containsExactlyElementsOf(tracks.subList(0, 3));

        Http.Response replaced = http.put(
                "/api/v1/curated-playlists/" + id,
                Http.json(Map.of(
                        "emotion", "happy", "name", "Sudden joy", "trackIds", List.of(tracks.get(4), tracks.get(3)))),
                AUTH);
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().get("name").asText()).isEqualTo("Sudden joy");
        assertThat(PlaylistApiTest.ids(replaced.json().get("tracks"))).containsExactly(tracks.get(4), tracks.get(3));

        Http.Response added = http.post(
                "/api/v1/curated-playlists/" + id + "/tracks",
                Http.json(Map.of("trackId", tracks.get(0), "position", 0)),
                AUTH);
        assertThat(added.status()).isEqualTo(200);
        assertThat(PlaylistApiTest.ids(added.json().get("tracks")))
                .containsExactly(tracks.get(0), tracks.get(4), tracks.get(3));

        assertThat(http.delete("/api/v1/curated-playlists/" + id + "/tracks/" + tracks.get(4), AUTH)
                        .status())
                .isEqualTo(204);
        assertThat(PlaylistApiTest.ids(
                        http.get("/api/v1/curated-playlists/" + id).json().get("tracks")))
                .containsExactly(tracks.get(0), tracks.get(3));
        assertThat(http.delete("/api/v1/curated-playlists/" + id + "/tracks/" + tracks.get(4), AUTH)
                        .status())
                .isEqualTo(404);

        assertThat(http.delete("/api/v1/curated-playlists/" + id, AUTH).status())
                .isEqualTo(204);
        assertThat(http.get("/api/v1/curated-playlists/" + id).status()).isEqualTo(404);
    }

    @Test
    void aTrackAddedToACuratedListIsRankedAsCurated() {
        JsonNode before = http.get("/api/v1/playlists/disgust?limit=40").json().get("tracks");
        JsonNode featureTrack = PlaylistApiTest.stream(before)
                .filter(t -> t.at("/reason/kind").asText().equals("features"))
                .reduce((a, b) -> b)
                .orElseThrow();
        long trackId = featureTrack.get("id").asLong();
        int positionBefore = PlaylistApiTest.positions(before).get(trackId);

        Http.Response created = http.post(
                "/api/v1/curated-playlists",
                Http.json(Map.of("emotion", "disgust", "name", "Extra disgust", "trackIds", List.of(trackId))),
                AUTH);
        assertThat(created.status()).isEqualTo(201);
        try {
            JsonNode after =
                    http.get("/api/v1/playlists/disgust?limit=40").json().get("tracks");
            Map<Long, Integer> positions = PlaylistApiTest.positions(after);
            assertThat(positions.get(trackId)).isLessThan(positionBefore);
            assertThat(after.get(positions.get(trackId)).at("/reason/kind").asText())
                    .isEqualTo("curated");
        } finally {
            http.delete("/api/v1/curated-playlists/" + created.json().get("id").asLong(), AUTH);
        }
    }

    @Test
    void writesNeedTheBearerToken() {
        String body = Http.json(Map.of("emotion", "happy", "name", "x"));
        Http.Response none = http.post("/api/v1/curated-playlists", body);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(none.contentType()).startsWith("application/problem+json");

        Http.Response wrong = http.post("/api/v1/curated-playlists", body, "Authorization", "Bearer not-the-token");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).contains("invalid_token");

        Http.Response basic = http.delete("/api/v1/curated-playlists/1", "Authorization", "Basic YWRtaW46YWRtaW4=");
        assertThat(basic.status()).isEqualTo(401);
        assertThat(http.put("/api/v1/curated-playlists/1", "{not json", "Authorization", "Bearer nope")
                        .status())
                .isEqualTo(401);
        assertThat(http.get("/api/v1/curated-playlists/1").status()).isEqualTo(200);
    }

    @Test
    void invalidWritesAreExplained() {
        Http.Response unknownTrack = http.post(
                "/api/v1/curated-playlists",
                Http.json(Map.of("emotion", "happy", "name", "x", "trackIds", List.of(1, 987654321))),
                AUTH);
        assertThat(unknownTrack.status()).isEqualTo(404);
        assertThat(unknownTrack.json().get("unknownTrackIds").get(0).asLong()).isEqualTo(987654321L);

        Http.Response duplicate = http.post(
                "/api/v1/curated-playlists",
                Http.json(Map.of("emotion", "happy", "name", "x", "trackIds", List.of(1, 1))),
                AUTH);
        assertThat(duplicate.status()).isEqualTo(400);

        Http.Response badEmotion =
                http.post("/api/v1/curated-playlists", Http.json(Map.of("emotion", "cheerful", "name", "x")), AUTH);
        assertThat(badEmotion.status()).isEqualTo(400);
        assertThat(badEmotion.json().get("detail").asText()).contains("angry, disgust");

        Http.Response noName = http.post("/api/v1/curated-playlists", Http.json(Map.of("emotion", "happy")), AUTH);
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.json().get("detail").asText()).contains("name");

        Http.Response malformed = http.post("/api/v1/curated-playlists", "{\"emotion\":", AUTH);
        assertThat(malformed.status()).isEqualTo(400);

        assertThat(http.put("/api/v1/curated-playlists/99999", Http.json(Map.of("emotion", "happy", "name", "x")), AUTH)
                        .status())
                .isEqualTo(404);
        assertThat(http.post(
                                "/api/v1/curated-playlists/" + seededId("sad") + "/tracks",
                                Http.json(Map.of("trackId", 987654321)),
                                AUTH)
                        .status())
                .isEqualTo(404);
    }

    private long seededId(String emotion) {
        return PlaylistApiTest.stream(
                        http.get("/api/v1/curated-playlists?emotion=" + emotion).json())
                .filter(p -> p.get("source").asText().equals("seed"))
                .findFirst()
                .orElseThrow()
                .get("id")
                .asLong();
    }
}
