package io.affectune.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.testsupport.PostgresTestDatabase;
import io.affectune.testsupport.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One trace through the whole system: a request that enters the gateway with a W3C traceparent reaches
 * camera-service, which calls emotion-service and playlist-service, and every one of them continues that trace.
 * All four services run from their jars with OTLP export on, to a receiver in this test ({@link OtlpReceiver});
 * the spans they send must share the request's trace id and form one parent chain (gateway -> camera -> emotion,
 * camera -> playlist), and the trace id must be in the services' JSON log lines. The same holds for a frame sent
 * on a camera WebSocket opened through the gateway: the calls that frame causes continue the handshake's trace.
 */
class TraceEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> SERVICES =
            List.of("gateway", "camera-service", "emotion-service", "playlist-service");

    private static OtlpReceiver receiver;
    private static PostgresTestDatabase database;
    private static ServiceProcess playlist;
    private static ServiceProcess emotion;
    private static ServiceProcess camera;
    private static ServiceProcess gateway;
    private static byte[] face;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startServices() throws Exception {
        assumeTrue(RealServices.modelPresent(), "no emotion model at " + RealServices.modelsDir());
        assumeTrue(
                RealServices.jarsBuilt("emotion-service", "playlist-service", "camera-service", "gateway"),
                "the four services' jars must be packaged first");
        receiver = new OtlpReceiver();
        Map<String, String> tracing = Map.of(
                "OTLP_TRACING_ENABLED", "true",
                "OTLP_TRACING_ENDPOINT", receiver.endpoint(),
                "OTLP_TRACING_SCHEDULE_DELAY", "200ms",
                "LOG_FORMAT", "json",
                // a line per request in each service: WebFlux's and Spring MVC's request log, and camera-service's
                // frame stream (environment variables name packages)
                "LOGGING_LEVEL_ORG_SPRINGFRAMEWORK_WEB_SERVER_ADAPTER", "DEBUG",
                "LOGGING_LEVEL_ORG_SPRINGFRAMEWORK_WEB_SERVLET", "DEBUG",
                "LOGGING_LEVEL_IO_AFFECTUNE_CAMERA_STREAM", "DEBUG");
        database = PostgresTestDatabase.create();
        playlist = ServiceProcess.start("playlist-service", with(tracing, database.asEnv()));
        emotion = ServiceProcess.start(
                "emotion-service",
                with(tracing, Map.of("MODELS_DIR", RealServices.modelsDir().toString())));
        camera = ServiceProcess.start(
                "camera-service",
                with(
                        tracing,
                        Map.of(
                                "EMOTION_SERVICE_URL",
                                emotion.baseUrl(),
                                "PLAYLIST_SERVICE_URL",
                                playlist.baseUrl(),
                                "MODELS_DIR",
                                RealServices.modelsDir().toString(),
                                // the first calls into a cold emotion-service are slow; a degraded frame calls no
                                // playlist
                                "EMOTION_TIMEOUT",
                                "20s",
                                "MOOD_SETTLE",
                                "500ms",
                                "MOOD_SMOOTHING_WINDOW",
                                "300ms")));
        gateway = ServiceProcess.start(
                "gateway",
                with(
                        tracing,
                        Map.of(
                                "EMOTION_SERVICE_URL", emotion.baseUrl(),
                                "PLAYLIST_SERVICE_URL", playlist.baseUrl(),
                                "CAMERA_SERVICE_URL", camera.baseUrl(),
                                "GATEWAY_MANAGEMENT_PORT", Integer.toString(RealServices.freePort()))));
        face = TestFaces.frame(TestFaces.withLabel("happy").get(0), 640, 480, 200, 220, 140, 1);
    }

    @AfterAll
    static void stop() {
        RealServices.closeAll(gateway, camera, emotion, playlist, database, receiver);
    }

    @Test
    void oneRequestsTraceReachesCameraEmotionAndPlaylist() throws Exception {
        warmUp();
        String traceId = HEX.formatHex(bytes(16));
        String clientSpan = HEX.formatHex(bytes(8));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/analyze?recommend=true"))
                        .header("Content-Type", "image/jpeg")
                        .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(face))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(response.body());
        assertThat(result.path("degraded").asBoolean()).as(response.body()).isFalse();
        assertThat(result.path("playlist").path("tracks").size())
                .as(response.body())
                .isPositive();

        List<OtlpReceiver.Span> trace =
                awaitSpans(traceId, spans -> servers(spans).keySet().containsAll(SERVICES));
        Map<String, List<OtlpReceiver.Span>> servers = servers(trace);
        // the gateway continues the client's trace: its server span's parent is the caller's span
        assertThat(servers.get("gateway"))
                .extracting(OtlpReceiver.Span::parentSpanId)
                .contains(clientSpan);
        // and each service's server span is the child of a span of the service that called it
        assertThat(parentsOf(servers.get("camera-service"), trace)).contains("gateway");
        assertThat(parentsOf(servers.get("emotion-service"), trace)).contains("camera-service");
        assertThat(parentsOf(servers.get("playlist-service"), trace)).contains("camera-service");

        // every service wrote its log lines of this request with the trace id
        for (ServiceProcess service : List.of(gateway, camera, emotion, playlist)) {
            awaitLogLine(service, traceId);
        }
    }

    @Test
    void theCallsAWebSocketFrameCausesContinueTheHandshakesTrace() throws Exception {
        warmUp();
        String traceId = HEX.formatHex(bytes(16));
        LinkedBlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder()
                .header("traceparent", "00-" + traceId + "-" + HEX.formatHex(bytes(8)) + "-01")
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + gateway.port() + "/api/v1/sessions/trace-" + System.nanoTime()
                                + "/stream"),
                        new Results(results))
                .get(10, TimeUnit.SECONDS);
        try {
            // frames until the mood settles (500 ms) and its playlist arrives: emotion and playlist calls both made
            Instant deadline = Instant.now().plusSeconds(30);
            boolean playlistSeen = false;
            while (!playlistSeen && Instant.now().isBefore(deadline)) {
                socket.sendBinary(ByteBuffer.wrap(face), true).get(5, TimeUnit.SECONDS);
                JsonNode answer = results.poll(5, TimeUnit.SECONDS);
                playlistSeen = answer != null && answer.has("playlist");
                Thread.sleep(100);
            }
            assertThat(playlistSeen)
                    .as("a playlist arrived on the WebSocket within 30 s")
                    .isTrue();
        } finally {
            socket.abort();
        }

        List<OtlpReceiver.Span> trace = awaitSpans(
                traceId, spans -> servers(spans).keySet().containsAll(List.of("emotion-service", "playlist-service")));
        List<OtlpReceiver.Span> frames = trace.stream()
                .filter(s -> s.service().equals("camera-service") && s.name().equals("websocket frame"))
                .toList();
        assertThat(frames)
                .as("camera-service's frame spans in the handshake's trace")
                .isNotEmpty();
        awaitLogLine(camera, traceId);
        Set<String> frameIds = frames.stream().map(OtlpReceiver.Span::spanId).collect(Collectors.toSet());
        // the emotion-service and playlist-service requests descend from a frame span of camera-service
        for (String service : List.of("emotion-service", "playlist-service")) {
            assertThat(servers(trace).get(service))
                    .allSatisfy(server -> assertThat(ancestors(server, trace))
                            .as(service + " span's ancestors")
                            .containsAnyElementsOf(frameIds));
        }
    }

    /** The first frames warm up emotion-service (ONNX Runtime) and the JIT; wait until one is answered whole. */
    private void warmUp() throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/analyze?recommend=true"))
                            .header("Content-Type", "image/jpeg")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(face))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200
                    && !JSON.readTree(response.body()).path("degraded").asBoolean()
                    && JSON.readTree(response.body()).has("playlist")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no complete /analyze answer within 60 s");
    }

    /** The SERVER spans of each service in the trace. */
    private static Map<String, List<OtlpReceiver.Span>> servers(List<OtlpReceiver.Span> trace) {
        return trace.stream()
                .filter(s -> s.kind() == OtlpReceiver.SERVER)
                .collect(Collectors.groupingBy(OtlpReceiver.Span::service));
    }

    /** The services whose spans are the parents of the given spans. */
    private static Set<String> parentsOf(List<OtlpReceiver.Span> spans, List<OtlpReceiver.Span> trace) {
        Map<String, String> serviceOf = trace.stream()
                .collect(Collectors.toMap(OtlpReceiver.Span::spanId, OtlpReceiver.Span::service, (a, b) -> a));
        return spans.stream()
                .map(s -> serviceOf.get(s.parentSpanId()))
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
    }

    private static List<String> ancestors(OtlpReceiver.Span span, List<OtlpReceiver.Span> trace) {
        Map<String, OtlpReceiver.Span> byId =
                trace.stream().collect(Collectors.toMap(OtlpReceiver.Span::spanId, s -> s, (a, b) -> a));
        List<String> ancestors = new java.util.ArrayList<>();
        for (OtlpReceiver.Span p = byId.get(span.parentSpanId());
                p != null && ancestors.size() < 50;
                p = byId.get(p.parentSpanId())) {
            ancestors.add(p.spanId());
        }
        return ancestors;
    }

    private static List<OtlpReceiver.Span> awaitSpans(String traceId, Predicate<List<OtlpReceiver.Span>> complete)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        List<OtlpReceiver.Span> trace = receiver.trace(traceId);
        while (!complete.test(trace) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            trace = receiver.trace(traceId);
        }
        // spans still on their way (a parent ends after its children) get one more export interval
        Thread.sleep(1000);
        trace = receiver.trace(traceId);
        assertThat(complete.test(trace))
                .as("spans of trace " + traceId + ": " + describe(trace))
                .isTrue();
        return trace;
    }

    private static String describe(List<OtlpReceiver.Span> spans) {
        return spans.stream()
                .map(s ->
                        s.service() + "/" + s.name() + "/kind " + s.kind() + " " + s.spanId() + "<-" + s.parentSpanId())
                .collect(Collectors.joining("; "));
    }

    /** A JSON log line of the service (LOG_FORMAT=json) that carries the trace id in its traceId field. */
    private static void awaitLogLine(ServiceProcess service, String traceId) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            for (String line : Files.readAllLines(service.logFile())) {
                if (line.startsWith("{")
                        && line.contains(traceId)
                        && traceId.equals(JSON.readTree(line).path("traceId").asText())) {
                    return;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no JSON log line with traceId " + traceId + " in " + service.logFile());
            }
            Thread.sleep(200);
        }
    }

    private record Results(LinkedBlockingQueue<JsonNode> results, StringBuilder partial) implements WebSocket.Listener {

        Results(LinkedBlockingQueue<JsonNode> results) {
            this(results, new StringBuilder());
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    results.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> env = new HashMap<>(a);
        env.putAll(b);
        return env;
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
