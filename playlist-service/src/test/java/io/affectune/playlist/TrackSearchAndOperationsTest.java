package io.affectune.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** GET /api/v1/tracks, and the operational endpoints every service has. */
class TrackSearchAndOperationsTest extends ApiTestBase {

    @Test
    void searchesTitleArtistAndAlbumIgnoringCase() {
        JsonNode page = http.get("/api/v1/tracks?q=BRUNO%20mars&size=50").json();
        assertThat(page.get("totalElements").asLong()).isGreaterThan(10);
        for (JsonNode track : page.get("items")) {
            String text = (track.get("title").asText() + " "
                            + track.get("artist").asText() + " "
                            + track.get("album").asText())
                    .toLowerCase(Locale.ROOT);
            assertThat(text).contains("bruno mars");
        }
        assertThat(http.get("/api/v1/tracks?q=divinely%20uninspired")
                        .json()
                        .get("totalElements")
                        .asLong())
                .isPositive();
    }

    @Test
    void pagesAreDisjointAndBounded() {
        JsonNode first = http.get("/api/v1/tracks?q=love&page=0&size=10").json();
        JsonNode second = http.get("/api/v1/tracks?q=love&page=1&size=10").json();
        assertThat(first.get("items")).hasSize(10);
        List<Long> firstIds = PlaylistApiTest.ids(first.get("items"));
        assertThat(PlaylistApiTest.ids(second.get("items"))).doesNotContainAnyElementsOf(firstIds);
        assertThat(first.get("totalPages").asInt())
                .isEqualTo((int) Math.ceil(first.get("totalElements").asLong() / 10.0));

        JsonNode all = http.get("/api/v1/tracks").json();
        assertThat(all.get("totalElements").asLong()).isEqualTo(29_156);
        assertThat(all.get("size").asInt()).isEqualTo(20);

        assertThat(http.get("/api/v1/tracks?q=zzzzqqqxxx").json().get("items")).isEmpty();
        // LIKE wildcards in q are taken literally
        assertThat(http.get("/api/v1/tracks?q=%25%25%25_")
                        .json()
                        .get("totalElements")
                        .asLong())
                .isZero();
    }

    @Test
    void badPagingAndIdsAre400sAndUnknownIds404() {
        assertThat(http.get("/api/v1/tracks?size=0").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/tracks?size=101").json().get("detail").asText())
                .contains("between 1 and 100");
        assertThat(http.get("/api/v1/tracks?page=-1").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/tracks?page=x").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/tracks?q=" + "a".repeat(201)).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/tracks/abc").status()).isEqualTo(400);
        Http.Response missing = http.get("/api/v1/tracks/987654321");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");

        JsonNode one = http.get("/api/v1/tracks/"
                        + PlaylistApiTest.ids(http.get("/api/v1/tracks?q=heathens")
                                        .json()
                                        .get("items"))
                                .get(0))
                .json();
        assertThat(one.get("title").asText()).containsIgnoringCase("heathens");
    }

    @Test
    void healthIncludesTheDatabaseAndMetricsAndApiDocsAreServed() {
        Http.Response health = http.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().at("/components/db/status").asText()).isEqualTo("UP");

        http.get("/api/v1/playlists/happy?limit=2");
        Http.Response prometheus = http.get("/actuator/prometheus");
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("http_server_requests_seconds", "hikaricp_connections");

        JsonNode docs = http.get("/v3/api-docs").json();
        assertThat(docs.get("paths").has("/api/v1/playlists/{emotion}")).isTrue();
        assertThat(docs.get("paths").has("/api/v1/curated-playlists/{id}/tracks"))
                .isTrue();
        assertThat(http.get("/swagger-ui.html").status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAreProblemJson404s() {
        Http.Response response = http.get("/api/v1/nothing-here");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }
}
