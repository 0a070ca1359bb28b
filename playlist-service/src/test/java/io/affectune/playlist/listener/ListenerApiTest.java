package io.affectune.playlist.listener;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.affectune.playlist.ApiTestBase;
import io.affectune.playlist.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Listeners on the real PostgreSQL: X-Listener-Id validation, personal ranking through the API, opt-in
 * history with its retention, and forget-me leaving no row behind. Every listener made here is forgotten
 * afterwards, which also takes its likes and skips out of the global tallies other tests read.
 */
class ListenerApiTest extends ApiTestBase {

    private final List<String> made = new ArrayList<>();

    @Autowired
    private ListenerService listeners;

    @AfterEach
    void forgetEveryone() {
        made.forEach(id ->
                assertThat(http.delete("/api/v1/listeners/" + id).status()).isEqualTo(204));
    }

    @Test
    void aListenerIdMustBeAUuid() {
        for (String bad : List.of("not-a-uuid", "12345", "3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6", "' OR 1=1 --")) {
            Http.Response playlist = http.get("/api/v1/playlists/happy", "X-Listener-Id", bad);
            assertThat(playlist.status()).as(bad).isEqualTo(400);
            assertThat(playlist.contentType()).startsWith("application/problem+json");
            assertThat(playlist.json().get("detail").asText()).contains("X-Listener-Id", "UUID");

            Http.Response feedback = http.post(
                    "/api/v1/feedback",
                    "{\"trackId\":1,\"emotion\":\"happy\",\"signal\":\"like\"}",
                    "X-Listener-Id",
                    bad);
            assertThat(feedback.status()).isEqualTo(400);
            assertThat(feedback.contentType()).startsWith("application/problem+json");
        }
        assertThat(http.get("/api/v1/listeners/nobody").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/listeners/nobody/history")
                        .json()
                        .get("detail")
                        .asText())
                .contains("UUID");
        assertThat(http.delete("/api/v1/listeners/nobody").status()).isEqualTo(400);
    }

    @Test
    void withoutFeedbackAListenerGetsTheGlobalPlaylist() {
        String listener = newListener();
        JsonNode global = http.get("/api/v1/playlists/neutral?limit=15").json().get("tracks");
        JsonNode personal = http.get("/api/v1/playlists/neutral?limit=15", "X-Listener-Id", listener)
                .json()
                .get("tracks");
        assertThat(personal).isEqualTo(global);
        // reading a playlist stores nothing about a listener
        assertThat(count("SELECT count(*) FROM listener WHERE id = ?::uuid", listener))
                .isZero();
    }

    @Test
    void aListenersSkipSinksTheTrackForThemFarMoreThanForOthers() {
        String skipper = newListener();
        JsonNode before = http.get("/api/v1/playlists/sad?limit=15").json().get("tracks");
        long top = before.get(0).get("id").asLong();
        feedback(skipper, top, "sad", "skip");

        List<Long> forSkipper = ids(http.get("/api/v1/playlists/sad?limit=15", "X-Listener-Id", skipper)
                .json()
                .get("tracks"));
        List<Long> forOthers =
                ids(http.get("/api/v1/playlists/sad?limit=15").json().get("tracks"));
        assertThat(forSkipper).doesNotContain(top);
        assertThat(forOthers).contains(top); // one skip moves it a little for everyone, not out of the list
        // for the skipper it sinks far down: not even in a long list
        assertThat(ids(http.get("/api/v1/playlists/sad?limit=100", "X-Listener-Id", skipper)
                        .json()
                        .get("tracks")))
                .doesNotContain(top);
    }

    @Test
    void twoListenersWithOppositeLikesGetDifferentPlaylists() {
        String rock = newListener();
        String pop = newListener();
        JsonNode pool = http.get("/api/v1/playlists/neutral?limit=100").json().get("tracks");
        List<Long> rockTracks = withGenre(pool, "rock");
        List<Long> popTracks = withGenre(pool, "pop");
        assertThat(rockTracks).hasSizeGreaterThanOrEqualTo(3);
        assertThat(popTracks).hasSizeGreaterThanOrEqualTo(3);
        for (int i = 0; i < 3; i++) {
            feedback(rock, rockTracks.get(i), "neutral", "like");
            feedback(rock, popTracks.get(i), "neutral", "skip");
            feedback(pop, popTracks.get(i), "neutral", "like");
            feedback(pop, rockTracks.get(i), "neutral", "skip");
        }
        JsonNode forRock = http.get("/api/v1/playlists/neutral?limit=15", "X-Listener-Id", rock)
                .json()
                .get("tracks");
        JsonNode forPop = http.get("/api/v1/playlists/neutral?limit=15", "X-Listener-Id", pop)
                .json()
                .get("tracks");
        assertThat(ids(forRock)).isNotEqualTo(ids(forPop));
        assertThat(genreShare(forRock, "rock")).isGreaterThan(genreShare(forPop, "rock"));
        assertThat(genreShare(forPop, "pop")).isGreaterThan(genreShare(forRock, "pop"));
        assertThat(ids(forRock)).doesNotContainAnyElementsOf(popTracks.subList(0, 3));
        assertThat(ids(forPop)).doesNotContainAnyElementsOf(rockTracks.subList(0, 3));
        // the reason says so in words
        assertThat(forRock.toString()).containsPattern("you liked \\d+ similar tracks?");
    }

    @Test
    void historyIsOffByDefaultAndNothingIsKeptWithoutConsent() {
        String listener = newListener();
        long track = http.get("/api/v1/playlists/neutral?limit=1")
                .json()
                .at("/tracks/0/id")
                .asLong();
        feedback(listener, track, "neutral", "like");
        http.get("/api/v1/playlists/neutral", "X-Listener-Id", listener);

        JsonNode state = http.get("/api/v1/listeners/" + listener).json();
        assertThat(state.get("historyConsent").asBoolean()).isFalse();
        assertThat(state.get("historyRetentionDays").asLong()).isEqualTo(30);
        Http.Response mood = http.post("/api/v1/listeners/" + listener + "/history/moods", "{\"emotion\":\"sad\"}");
        assertThat(mood.status()).isEqualTo(409);
        assertThat(mood.contentType()).startsWith("application/problem+json");
        assertThat(mood.json().get("detail").asText()).contains("consent");
        assertThat(count("SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid", listener))
                .isZero();
        JsonNode history =
                http.get("/api/v1/listeners/" + listener + "/history").json();
        assertThat(history.get("moods")).isEmpty();
        assertThat(history.get("liked")).isEmpty();
    }

    @Test
    void withConsentTheHistoryIsKeptShownAndDeletedWhenConsentIsWithdrawn() {
        String listener = newListener();
        assertThat(consent(listener, true).get("historyConsent").asBoolean()).isTrue();
        assertThat(http.post("/api/v1/listeners/" + listener + "/history/moods", "{\"emotion\":\"Sad\"}")
                        .status())
                .isEqualTo(201);
        JsonNode shown = http.get("/api/v1/playlists/sad?limit=5", "X-Listener-Id", listener)
                .json()
                .get("tracks");
        long liked = shown.get(1).get("id").asLong();
        long skipped = shown.get(2).get("id").asLong();
        feedback(listener, liked, "sad", "like");
        feedback(listener, skipped, "sad", "skip");

        JsonNode history =
                http.get("/api/v1/listeners/" + listener + "/history").json();
        assertThat(history.get("historyConsent").asBoolean()).isTrue();
        assertThat(history.at("/moods/0/emotion").asText()).isEqualTo("sad");
        assertThat(history.at("/moodDays/0/moods/sad").asInt()).isEqualTo(1);
        assertThat(history.at("/liked/0/trackId").asLong()).isEqualTo(liked);
        assertThat(history.at("/liked/0/title").asText())
                .isEqualTo(shown.get(1).get("title").asText());
        assertThat(history.at("/skipped/0/trackId").asLong()).isEqualTo(skipped);
        assertThat(ids(history.at("/shown/0/trackIds"))).isEqualTo(ids(shown));

        consent(listener, false);
        assertThat(count("SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid", listener))
                .isZero();
        assertThat(http.get("/api/v1/listeners/" + listener + "/history").json().get("liked"))
                .isEmpty();
        // the likes and skips still shape the playlists (that is not history); forget-me removes those
        assertThat(count("SELECT count(*) FROM listener_feedback_tally WHERE listener_id = ?::uuid", listener))
                .isEqualTo(2);
    }

    @Test
    void historyExpiresAfterTheRetentionPeriod() {
        String listener = newListener();
        consent(listener, true);
        http.post("/api/v1/listeners/" + listener + "/history/moods", "{\"emotion\":\"happy\"}");
        http.post("/api/v1/listeners/" + listener + "/history/moods", "{\"emotion\":\"sad\"}");
        jdbc.update(
                "UPDATE listener_event SET created_at = now() - interval '31 days' "
                        + "WHERE listener_id = ?::uuid AND emotion = 'happy'",
                listener);

        // expired rows are never returned, even before the job has run
        JsonNode history =
                http.get("/api/v1/listeners/" + listener + "/history").json();
        assertThat(history.get("moods")).hasSize(1);
        assertThat(history.at("/moods/0/emotion").asText()).isEqualTo("sad");

        assertThat(listeners.deleteExpiredHistory()).isGreaterThanOrEqualTo(1);
        assertThat(count(
                        "SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid AND emotion = 'happy'",
                        listener))
                .isZero();
        assertThat(count(
                        "SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid AND emotion = 'sad'",
                        listener))
                .isEqualTo(1);
    }

    @Test
    void forgetMeLeavesNoRowAndUndoesTheGlobalEffect() {
        String listener = UUID.randomUUID().toString(); // forgotten here, not in @AfterEach
        JsonNode tracks = http.get("/api/v1/playlists/disgust?limit=5").json().get("tracks");
        long a = tracks.get(0).get("id").asLong();
        long b = tracks.get(1).get("id").asLong();
        Map<String, Long> tallyBefore = Map.of("a", tally(a), "b", tally(b));

        consent(listener, true);
        feedback(listener, a, "disgust", "like");
        feedback(listener, a, "disgust", "like");
        feedback(listener, b, "disgust", "skip");
        http.post("/api/v1/listeners/" + listener + "/history/moods", "{\"emotion\":\"disgust\"}");
        http.get("/api/v1/playlists/disgust", "X-Listener-Id", listener);
        assertThat(rowsAbout(listener)).isGreaterThan(0);

        Http.Response forget = http.delete("/api/v1/listeners/" + listener);
        assertThat(forget.status()).isEqualTo(204);
        assertThat(rowsAbout(listener)).isZero();
        assertThat(Map.of("a", tally(a), "b", tally(b))).isEqualTo(tallyBefore);
        // the global playlist is what it was before the listener came
        assertThat(ids(http.get("/api/v1/playlists/disgust?limit=5").json().get("tracks")))
                .isEqualTo(ids(tracks));
        // and forgetting twice (or an unknown id) is fine
        assertThat(http.delete("/api/v1/listeners/" + listener).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/listeners/" + listener)
                        .json()
                        .get("historyConsent")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void theOpenApiDocumentDescribesTheListenerEndpointsAndHeader() {
        JsonNode paths = http.get("/v3/api-docs").json().get("paths");
        assertThat(paths.has("/api/v1/listeners/{id}")).isTrue();
        assertThat(paths.at("/~1api~1v1~1listeners~1{id}").has("delete")).isTrue();
        assertThat(paths.at("/~1api~1v1~1listeners~1{id}~1consent").has("put")).isTrue();
        assertThat(paths.at("/~1api~1v1~1listeners~1{id}~1history").has("get")).isTrue();
        assertThat(paths.at("/~1api~1v1~1listeners~1{id}~1history~1moods").has("post"))
                .isTrue();
        assertThat(paths.at("/~1api~1v1~1playlists~1{emotion}/get/parameters").toString())
                .contains("X-Listener-Id");
        assertThat(paths.at("/~1api~1v1~1feedback/post/parameters").toString()).contains("X-Listener-Id");
    }

    /** Every row in every table that can hold a listener id. */
    private long rowsAbout(String listener) {
        return count("SELECT count(*) FROM listener WHERE id = ?::uuid", listener)
                + count("SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid", listener)
                + count("SELECT count(*) FROM listener_feedback_tally WHERE listener_id = ?::uuid", listener)
                + count("SELECT count(*) FROM feedback WHERE listener_id = ?::uuid", listener);
    }

    /** likes and skips of a track for disgust as one comparable number (absent row = 0). */
    private long tally(long track) {
        return count(
                "SELECT coalesce(sum(likes * 1000 + skips), 0) FROM feedback_tally WHERE emotion = 'disgust' AND track_id = ?",
                track);
    }

    private String newListener() {
        String id = UUID.randomUUID().toString();
        made.add(id);
        return id;
    }

    private JsonNode consent(String listener, boolean on) {
        Http.Response response = http.put("/api/v1/listeners/" + listener + "/consent", "{\"history\":" + on + "}");
        assertThat(response.status()).isEqualTo(200);
        return response.json();
    }

    private void feedback(String listener, long trackId, String emotion, String signal) {
        Http.Response response = http.post(
                "/api/v1/feedback",
                Http.json(Map.of("trackId", trackId, "emotion", emotion, "signal", signal)),
                "X-Listener-Id",
                listener);
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("listenerId").asText()).isEqualTo(listener);
    }

    static List<Long> ids(JsonNode array) {
        List<Long> ids = new ArrayList<>();
        array.forEach(t -> ids.add(t.isNumber() ? t.asLong() : t.get("id").asLong()));
        return ids;
    }

    private static List<Long> withGenre(JsonNode tracks, String genre) {
        List<Long> ids = new ArrayList<>();
        tracks.forEach(t -> {
            if (genres(t).contains(genre) && !genres(t).contains(genre.equals("rock") ? "pop" : "rock")) {
                ids.add(t.get("id").asLong());
            }
        });
        return ids;
    }

    private static double genreShare(JsonNode tracks, String genre) {
        long n = 0;
        for (JsonNode t : tracks) {
            n += genres(t).contains(genre) ? 1 : 0;
        }
        return (double) n / tracks.size();
    }

    private static List<String> genres(JsonNode track) {
        List<String> genres = new ArrayList<>();
        track.get("genres").forEach(g -> genres.add(g.asText()));
        return genres;
    }
}
