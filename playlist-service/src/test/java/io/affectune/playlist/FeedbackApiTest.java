package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /api/v1/feedback: stored, and it moves later rankings for the same emotion (bounded). */
class FeedbackApiTest extends ApiTestBase {

    @Test
    void feedbackIsStored() {
        long trackId = http.get("/api/v1/playlists/angry?limit=1")
                .json()
                .at("/tracks/0/id")
                .asLong();
        Http.Response response = http.post(
                "/api/v1/feedback",
                Http.json(Map.of("trackId", trackId, "emotion", "Angry", "signal", "like", "sessionId", "session-a1")));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("emotion").asText()).isEqualTo("angry");
        assertThat(response.json().get("id").asLong()).isPositive();
        assertThat(count(
                        "SELECT count(*) FROM feedback WHERE track_id = ? AND emotion = 'angry' AND signal = 'like' "
                                + "AND session_id = 'session-a1'",
                        trackId))
                .isEqualTo(1);
    }

    @Test
    void aSkippedTrackSinksAndALikedOneRises() {
        JsonNode before = http.get("/api/v1/playlists/fear?limit=30").json().get("tracks");
        long top = before.get(0).get("id").asLong();
        long lower = before.get(20).get("id").asLong();

        signal(top, "fear", "skip");
        signal(lower, "fear", "like");

        JsonNode after = http.get("/api/v1/playlists/fear?limit=30").json().get("tracks");
        Map<Long, Integer> positions = PlaylistApiTest.positions(after);
        assertThat(positions.getOrDefault(top, Integer.MAX_VALUE)).isGreaterThan(0);
        assertThat(positions.get(lower)).isLessThan(20);
        JsonNode liked = after.get(positions.get(lower));
        assertThat(liked.at("/reason/text").asText()).contains("liked it 1");

        // other emotions are untouched
        assertThat(http.get("/api/v1/playlists/happy?limit=30")
                        .json()
                        .get("tracks")
                        .toString())
                .doesNotContain("liked it");
    }

    @Test
    void theEffectOfFeedbackIsBounded() {
        JsonNode before = http.get("/api/v1/playlists/surprise?limit=10").json().get("tracks");
        long track = before.get(5).get("id").asLong();
        double scoreBefore = before.get(5).get("score").asDouble();
        for (int i = 0; i < 40; i++) {
            signal(track, "surprise", "like");
        }
        JsonNode after = http.get("/api/v1/playlists/surprise?limit=10").json().get("tracks");
        JsonNode same = PlaylistApiTest.stream(after)
                .filter(t -> t.get("id").asLong() == track)
                .findFirst()
                .orElseThrow();
        // forty likes add at most the feedback weight (0.2), not forty times anything
        assertThat(same.get("score").asDouble()).isBetween(scoreBefore + 0.15, scoreBefore + 0.2001);
    }

    @Test
    void errorsAreProblemsWithUsefulMessages() {
        Http.Response unknownTrack = http.post(
                "/api/v1/feedback",
                "{\"trackId\":987654321,\"emotion\":\"happy\",\"signal\":\"like\",\"sessionId\":\"s\"}");
        assertThat(unknownTrack.status()).isEqualTo(404);
        assertThat(unknownTrack.json().get("detail").asText()).contains("987654321");

        Http.Response badSignal =
                http.post("/api/v1/feedback", "{\"trackId\":1,\"emotion\":\"happy\",\"signal\":\"love\"}");
        assertThat(badSignal.status()).isEqualTo(400);
        assertThat(badSignal.json().get("detail").asText()).contains("like", "skip");

        Http.Response badEmotion =
                http.post("/api/v1/feedback", "{\"trackId\":1,\"emotion\":\"meh\",\"signal\":\"like\"}");
        assertThat(badEmotion.status()).isEqualTo(400);
        assertThat(badEmotion.json().get("validEmotions")).hasSize(7);

        Http.Response missing = http.post("/api/v1/feedback", "{\"emotion\":\"happy\",\"signal\":\"like\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("detail").asText()).contains("trackId");

        Http.Response malformed = http.post("/api/v1/feedback", "{\"trackId\": 1, ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.json().get("title").asText()).isEqualTo("Malformed request body");

        Http.Response wrongType =
                http.post("/api/v1/feedback", "{\"trackId\":\"seven\",\"emotion\":\"happy\",\"signal\":\"like\"}");
        assertThat(wrongType.status()).isEqualTo(400);
    }

    @Test
    void oversizedBodiesAre413() {
        String big = "{\"trackId\":1,\"emotion\":\"happy\",\"signal\":\"like\",\"sessionId\":\"" + "x".repeat(70_000)
                + "\"}";
        Http.Response declared = http.post("/api/v1/feedback", big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.contentType()).startsWith("application/problem+json");
        assertThat(declared.json().get("detail").asText()).contains("65536");

        // a body of unknown length (chunked) is cut off once it passes the limit
        Http.Response chunked = http.send(HttpRequest.newBuilder(URI.create(http.url("/api/v1/feedback")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes()))));
        assertThat(chunked.status()).isEqualTo(413);
    }

    private void signal(long trackId, String emotion, String signal) {
        Http.Response response = http.post(
                "/api/v1/feedback",
                Http.json(
                        Map.of("trackId", trackId, "emotion", emotion, "signal", signal, "sessionId", "test-session")));
        assertThat(response.status()).isEqualTo(201);
    }
}
