package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** GET /api/v1/playlists/{emotion}: shape, ranking rules and error answers. */
class PlaylistApiTest extends ApiTestBase {

    static final List<String> EMOTIONS = List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");

    @Test
    void happyPlaylistHasFifteenExplainedTracks() {
        Http.Response response = http.get("/api/v1/playlists/happy?limit=15");

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("emotion").asText()).isEqualTo("happy");
        assertThat(body.get("strategy").asText()).isEqualTo("match");
        assertThat(body.at("/target/valence").asDouble()).isEqualTo(0.85);
        assertThat(body.at("/target/energy").asDouble()).isEqualTo(0.70);
        JsonNode tracks = body.get("tracks");
        assertThat(tracks).hasSize(15);
        for (JsonNode track : tracks) {
            assertThat(track.get("id").asLong()).isPositive();
            assertThat(track.get("title").asText()).isNotBlank();
            assertThat(track.get("artist").asText()).isNotBlank();
            assertThat(track.has("album")).isTrue();
            assertThat(track.has("spotifyId")).isTrue();
            assertThat(track.get("genres").isArray()).isTrue();
            assertThat(track.get("score").isNumber()).isTrue();
            JsonNode reason = track.get("reason");
            assertThat(reason.get("kind").asText()).isIn("curated", "features");
            assertThat(reason.get("text").asText()).isNotBlank();
            if (reason.get("kind").asText().equals("features")) {
                assertThat(reason.get("distance").asDouble()).isBetween(0.0, 0.2);
                assertThat(track.get("spotifyUrl").asText())
                        .isEqualTo("https://open.spotify.com/track/"
                                + track.get("spotifyId").asText());
            }
        }
        // blended: the curated happy list contributes, and so do tracks chosen for their features alone
        assertThat(kinds(tracks)).contains("curated", "features");
        List<Double> scores = values(tracks, "score");
        assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    }

    @Test
    void tracksSitNearTheEmotionsTargetOnTheValenceEnergyPlane() {
        JsonNode sad = http.get("/api/v1/playlists/sad?limit=30").json().get("tracks");
        JsonNode happy = http.get("/api/v1/playlists/happy?limit=30").json().get("tracks");
        JsonNode angry = http.get("/api/v1/playlists/angry?limit=30").json().get("tracks");
        assertThat(mean(values(sad, "valence"))).isLessThan(0.35);
        assertThat(mean(values(sad, "energy"))).isLessThan(0.40);
        assertThat(mean(values(happy, "valence"))).isGreaterThan(0.7);
        assertThat(mean(values(angry, "energy"))).isGreaterThan(0.8);
        assertThat(mean(values(angry, "valence"))).isLessThan(0.35);
    }

    @ParameterizedTest
    @CsvSource({"disgusted,disgust", "FEARFUL,fear", "Surprised,surprise", "HAPPY,happy", "Fear,fear"})
    void acceptsTheOriginalNamesInAnyCase(String asked, String expected) {
        Http.Response response = http.get("/api/v1/playlists/" + asked + "?limit=3");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("emotion").asText()).isEqualTo(expected);
        assertThat(response.json().get("tracks")).hasSize(3);
    }

    @Test
    void atMostTwoTracksPerArtistAndOneVersionOfASong() {
        for (String emotion : EMOTIONS) {
            for (String strategy : List.of("match", "uplift")) {
                JsonNode tracks = http.get("/api/v1/playlists/" + emotion + "?limit=100&strategy=" + strategy)
                        .json()
                        .get("tracks");
                assertThat(tracks).hasSize(100);
                Map<String, Long> perArtist = stream(tracks)
                        .collect(Collectors.groupingBy(
                                t -> t.get("artist").asText().trim().toLowerCase(Locale.ROOT), Collectors.counting()));
                assertThat(perArtist.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
                Set<String> songs = new HashSet<>();
                for (JsonNode t : tracks) {
                    assertThat(songs.add(t.get("title").asText().toLowerCase(Locale.ROOT) + "|"
                                    + t.get("artist").asText().toLowerCase(Locale.ROOT)))
                            .as("song once: %s", t)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void excludedTracksAreLeftOutAndReplaced() {
        JsonNode first = http.get("/api/v1/playlists/neutral?limit=15").json().get("tracks");
        List<Long> played = ids(first).subList(0, 10);
        String exclude = played.stream().map(String::valueOf).collect(Collectors.joining(","));

        JsonNode next = http.get("/api/v1/playlists/neutral?limit=15&exclude=" + exclude)
                .json()
                .get("tracks");

        assertThat(next).hasSize(15);
        assertThat(ids(next)).doesNotContainAnyElementsOf(played);
        assertThat(ids(next)).containsAll(ids(first).subList(10, 15));
    }

    @Test
    void sameInputsGiveTheSameAnswer() {
        for (String query : List.of(
                "/api/v1/playlists/fear?limit=40",
                "/api/v1/playlists/surprise?limit=25&strategy=uplift",
                "/api/v1/playlists/sad?limit=20&exclude=5,6,7")) {
            String a = http.get(query).body();
            String b = http.get(query).body();
            assertThat(a).isEqualTo(b);
        }
    }

    @Test
    void upliftStartsAtTheMoodAndMovesTowardPositiveValence() {
        JsonNode match =
                http.get("/api/v1/playlists/sad?limit=20&strategy=match").json();
        JsonNode uplift =
                http.get("/api/v1/playlists/sad?limit=20&strategy=uplift").json();

        assertThat(uplift.get("strategy").asText()).isEqualTo("uplift");
        assertThat(uplift.at("/target/valence").asDouble())
                .isEqualTo(match.at("/target/valence").asDouble());
        assertThat(uplift.at("/goal/valence").asDouble())
                .isGreaterThan(uplift.at("/target/valence").asDouble());
        assertThat(match.at("/goal/valence").asDouble())
                .isEqualTo(match.at("/target/valence").asDouble());

        List<Double> upliftValence = values(uplift.get("tracks"), "valence");
        List<Double> matchValence = values(match.get("tracks"), "valence");
        assertThat(mean(upliftValence)).isGreaterThan(mean(matchValence) + 0.05);
        // iso principle: the first tracks still meet the sad mood, the last ones are clearly brighter
        assertThat(mean(upliftValence.subList(0, 5))).isLessThan(0.35);
        assertThat(mean(upliftValence.subList(15, 20))).isGreaterThan(mean(upliftValence.subList(0, 5)) + 0.15);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bored", "disgustt", "123", "%20"})
    void unknownEmotionIsA400ListingTheValidOnes(String emotion) {
        Http.Response response = http.get("/api/v1/playlists/" + emotion);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText())
                .contains("angry, disgust, fear, happy, neutral, sad, surprise");
        assertThat(response.json().get("validEmotions")).hasSize(7);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "limit=0|limit must be between 1 and 100",
                "limit=101|limit must be between 1 and 100",
                "limit=ten|'limit' must be a whole number",
                "strategy=cheer|strategy must be 'match' or 'uplift'",
                "exclude=12,abc|'abc' is not one",
                "exclude=-4|'-4' is not one"
            })
    void badParametersAre400sWithAUsefulMessage(String query, String message) {
        Http.Response response = http.get("/api/v1/playlists/happy?" + query);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText()).contains(message);
    }

    @Test
    void excludeOfUnknownIdsIsHarmless() {
        Http.Response response = http.get("/api/v1/playlists/happy?limit=5&exclude=999999999,,%20888888888");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("tracks")).hasSize(5);
    }

    static List<Long> ids(JsonNode tracks) {
        return stream(tracks).map(t -> t.get("id").asLong()).toList();
    }

    static List<Double> values(JsonNode tracks, String field) {
        return stream(tracks).map(t -> t.get(field).asDouble()).collect(Collectors.toCollection(ArrayList::new));
    }

    static Set<String> kinds(JsonNode tracks) {
        return stream(tracks).map(t -> t.at("/reason/kind").asText()).collect(Collectors.toSet());
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    static Map<Long, Integer> positions(JsonNode tracks) {
        Map<Long, Integer> positions = new HashMap<>();
        for (int i = 0; i < tracks.size(); i++) {
            positions.put(tracks.get(i).get("id").asLong(), i);
        }
        return positions;
    }
}
