package io.affectune.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;

/** The gateway in front of three real stub services: routes, streams, pass-through errors, headers, limits. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "affectune.gateway.max-request-size=64KB",
            "affectune.gateway.rate-limit.requests-per-second=1000",
            "affectune.gateway.rate-limit.burst=1000",
            "affectune.gateway.cors-allowed-origins=https://allowed.example",
        })
@AutoConfigureObservability // Prometheus export is off in tests unless asked for
class GatewayRoutingTest {

    static final StubService EMOTION = new StubService("emotion-service");
    static final StubService PLAYLIST = new StubService("playlist-service");
    static final StubService CAMERA = new StubService("camera-service");

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("affectune.gateway.emotion-service-url", EMOTION::url);
        registry.add("affectune.gateway.playlist-service-url", PLAYLIST::url);
        registry.add("affectune.gateway.camera-service-url", CAMERA::url);
    }

    @AfterAll
    static void stopStubs() {
        EMOTION.close();
        PLAYLIST.close();
        CAMERA.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    GatewaySettings settings;

    /** application.yml's defaults name the StatefulSet's pods behind deploy/k8s's headless Service (deploy/validate.sh checks those). */
    @Test
    void cameraInstancesDefaultToTheKubernetesNames() {
        assertThat(settings.cameraInstances().url()).isEqualTo("http://{instance}.camera-service-headless:8081");
        assertThat(settings.cameraInstances().names()).isEqualTo("camera-service-[0-9]{1,4}");
    }

    WebTestClient management() {
        return GatewayClients.to("http://127.0.0.1:" + managementPort);
    }

    WebTestClient http() {
        return GatewayClients.to("http://localhost:" + port);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "POST, /api/v1/predictions, emotion-service",
        "POST, /api/v1/predictions/batch, emotion-service",
        "GET, /api/v1/models, emotion-service",
        "GET, /api/v1/playlists/happy?limit=5&strategy=uplift, playlist-service",
        "GET, /api/v1/tracks?q=blue&page=0&size=3, playlist-service",
        "GET, /api/v1/curated-playlists, playlist-service",
        "GET, /api/v1/curated-playlists/7/tracks, playlist-service",
        "POST, /api/v1/feedback, playlist-service",
        "GET, /api/v1/listeners/3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b/history, playlist-service",
        "PUT, /api/v1/listeners/3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b/consent, playlist-service",
        "DELETE, /api/v1/listeners/3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b, playlist-service",
        "POST, /api/v1/analyze?recommend=true, camera-service",
        "POST, /api/v1/sessions, camera-service",
        "GET, /api/v1/sessions/abc, camera-service",
        "POST, /api/v1/sources, camera-service",
    })
    void routesEachApiPathToItsService(String method, String path, String service) {
        http().method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.service")
                .isEqualTo(service)
                .jsonPath("$.uri")
                .isEqualTo(path)
                .jsonPath("$.method")
                .isEqualTo(method);
    }

    @Test
    void forwardsTheListenerIdHeader() {
        String listener = "3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b";
        http().get()
                .uri("/api/v1/playlists/happy")
                .header("X-Listener-Id", listener)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.listenerId")
                .isEqualTo(listener);
        http().post()
                .uri("/api/v1/feedback")
                .header("X-Listener-Id", listener)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.listenerId")
                .isEqualTo(listener);
    }

    /** camera-service's Origin check compares the browser's Origin with the origin the gateway forwards. */
    @Test
    void tellsTheServicesTheOriginTheBrowserSees() {
        http().get()
                .uri("/api/v1/playlists/happy")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-For", "203.0.113.9")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.forwardedHost")
                .isEqualTo("localhost:" + port)
                .jsonPath("$.forwardedProto")
                .isEqualTo("http")
                // the client's address as the gateway sees it, not what the client claims
                .jsonPath("$.forwardedFor")
                .isEqualTo("127.0.0.1");
        List<String> answers = new CopyOnWriteArrayList<>();
        new ReactorNettyWebSocketClient()
                .execute(
                        URI.create("ws://localhost:" + port + "/api/v1/sessions/s1/stream"),
                        session -> session.send(Flux.just("forwarded-host").map(session::textMessage))
                                .thenMany(session.receive()
                                        .map(WebSocketMessage::getPayloadAsText)
                                        .take(1)
                                        .doOnNext(answers::add))
                                .then())
                .block(Duration.ofSeconds(10));
        assertThat(answers).containsExactly("localhost:" + port + " http");
    }

    @Test
    void forwardsAnImageBodyUnchanged() {
        byte[] jpeg = new byte[30_000];
        http().post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(jpeg)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.bodyBytes")
                .isEqualTo(30_000);
    }

    @Test
    void passesDownstreamProblemsThroughUnchanged() {
        http().get()
                .uri("/api/v1/playlists/not-an-emotion")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(400)
                .jsonPath("$.detail")
                .isEqualTo("playlist-service says no");
    }

    @Test
    void refusesABodyOverTheSizeLimitWith413Problem() {
        EMOTION.requests.clear();
        http().post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(new byte[65 * 1024 + 1])
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(413)
                .jsonPath("$.detail")
                .value(detail -> assertThat((String) detail).contains("at most 65536 bytes"));
        assertThat(EMOTION.requests).isEmpty();
    }

    @Test
    void carriesTheCameraWebSocket() {
        List<String> answers = new CopyOnWriteArrayList<>();
        new ReactorNettyWebSocketClient()
                .execute(
                        URI.create("ws://localhost:" + port + "/api/v1/sessions/s1/stream"),
                        session -> session.send(Flux.just("one", "two").map(session::textMessage))
                                .thenMany(session.receive()
                                        .map(WebSocketMessage::getPayloadAsText)
                                        .take(2)
                                        .doOnNext(answers::add))
                                .then())
                .block(Duration.ofSeconds(10));
        assertThat(answers).containsExactly("camera-service echo one", "camera-service echo two");
    }

    @Test
    void streamsServerSentEvents() {
        List<ServerSentEvent<String>> events = http().get()
                .uri("/api/v1/sessions/s1/events")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .take(3)
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(events).extracting(ServerSentEvent::event).containsOnly("frame");
        assertThat(events)
                .extracting(ServerSentEvent::data)
                .containsExactly("{\"sequence\":0}", "{\"sequence\":1}", "{\"sequence\":2}");
    }

    @Test
    void servesTheDashboardWithAStrictContentSecurityPolicy() {
        String html = http().get()
                .uri("/")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectHeader()
                .value(
                        "Content-Security-Policy",
                        csp -> assertThat(csp)
                                .contains(
                                        "default-src 'self'",
                                        "script-src 'self';",
                                        "style-src 'self';",
                                        "frame-src https://open.spotify.com",
                                        "connect-src 'self' ws://localhost:" + port,
                                        "frame-ancestors 'none'")
                                .doesNotContain("unsafe-inline", "unsafe-eval"))
                .expectHeader()
                .valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader()
                .valueEquals("Referrer-Policy", "no-referrer")
                .expectHeader()
                .valueEquals("X-Frame-Options", "DENY")
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(html)
                .contains("<script type=\"module\" src=\"js/main.js\"></script>")
                .doesNotContain("<style", "style=\"", "onclick=");
        http().get()
                .uri("/js/main.js")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith("text/javascript");
        http().get().uri("/css/app.css").exchange().expectStatus().isOk();
    }

    @Test
    void addsSecurityHeadersToProxiedAnswersToo() {
        http().get()
                .uri("/api/v1/models")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .exists("Content-Security-Policy")
                .expectHeader()
                .valueEquals("X-Content-Type-Options", "nosniff");
    }

    @Test
    void unknownPathsAreProblemJson404() {
        http().get()
                .uri("/no/such/thing")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Not Found");
    }

    @Test
    void allowsConfiguredOriginsAndRefusesOthers() {
        http().options()
                .uri("/api/v1/playlists/happy")
                .header("Origin", "https://allowed.example")
                .header("Access-Control-Request-Method", "GET")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("Access-Control-Allow-Origin", "https://allowed.example");
        http().options()
                .uri("/api/v1/playlists/happy")
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .doesNotExist("Access-Control-Allow-Origin");
        http().get()
                .uri("/api/v1/playlists/happy")
                .header("Origin", "https://allowed.example")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("Access-Control-Allow-Origin", "https://allowed.example");
    }

    @Test
    void healthIncludesEachDownstreamService() {
        http().get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.components.downstream.components.emotion-service.status")
                .isEqualTo("UP")
                .jsonPath("$.components.downstream.components.playlist-service.status")
                .isEqualTo("UP")
                .jsonPath("$.components.downstream.components.camera-service.status")
                .isEqualTo("UP")
                // statuses only on the public port: no details (disk space, paths) of any component
                .jsonPath("$.components.diskSpace.status")
                .isEqualTo("UP")
                .jsonPath("$.components.diskSpace.details")
                .doesNotExist();
        http().get()
                .uri("/actuator/health/liveness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        http().get()
                .uri("/actuator/health/readiness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        // the details are on the management port
        management()
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components.diskSpace.details.free")
                .exists();
    }

    @ParameterizedTest
    @CsvSource({
        "/actuator/prometheus",
        "/actuator/metrics",
        "/actuator/info",
        "/actuator/env",
        "/actuator",
        "/actuator/health/diskSpace",
        "/actuator/health/downstream"
    })
    void noOtherActuatorEndpointIsReachableOnThePublicPort(String path) {
        http().get()
                .uri(path)
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void offersOneOpenApiViewOfAllServices() {
        http().get()
                .uri("/v3/api-docs/swagger-config")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.urls[?(@.name=='emotion-service')].url")
                .isEqualTo("/v3/api-docs/emotion")
                .jsonPath("$.urls[?(@.name=='playlist-service')].url")
                .isEqualTo("/v3/api-docs/playlist")
                .jsonPath("$.urls[?(@.name=='camera-service')].url")
                .isEqualTo("/v3/api-docs/camera");
        for (String service : List.of("emotion", "playlist", "camera")) {
            http().get()
                    .uri("/v3/api-docs/" + service)
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.info.title")
                    .isEqualTo(service + "-service");
        }
        http().get().uri("/swagger-ui.html").exchange().expectStatus().is3xxRedirection();
    }

    @Test
    void exposesPrometheusMetrics() {
        http().get().uri("/api/v1/models").exchange().expectStatus().isOk();
        management()
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body).contains("spring_cloud_gateway_requests"));
    }
}
