package io.affectune.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A small real HTTP server standing in for one downstream service: it answers with its own name and the
 * path it saw (and the X-Listener-Id header it got), serves /actuator/health and /v3/api-docs, echoes a WebSocket, streams SSE, and answers
 * /api/v1/playlists/not-an-emotion with a problem+json 400 as the real services do for bad input.
 */
final class StubService implements AutoCloseable {

    record Seen(String method, String uri, int bodyBytes) {}

    private final String name;
    private final DisposableServer server;
    final List<Seen> requests = new CopyOnWriteArrayList<>();

    StubService(String name) {
        this.name = name;
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.get("/actuator/health", (req, res) -> json(res, "{\"status\":\"UP\"}"))
                        .get(
                                "/v3/api-docs",
                                (req, res) -> json(
                                        res,
                                        "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"" + name
                                                + "\",\"version\":\"1\"},\"paths\":{}}"))
                        .get(
                                "/api/v1/playlists/not-an-emotion",
                                (req, res) -> res.status(HttpResponseStatus.BAD_REQUEST)
                                        .header("Content-Type", "application/problem+json")
                                        .sendString(Mono.just("{\"title\":\"Bad Request\",\"status\":400,\"detail\":\""
                                                + name + " says no\"}")))
                        .ws(
                                "/api/v1/sessions/{id}/stream",
                                (in, out) -> out.sendString(in.receive()
                                        .asString()
                                        .map(text -> "forwarded-host".equals(text)
                                                ? in.headers().get("X-Forwarded-Host", "") + " "
                                                        + in.headers().get("X-Forwarded-Proto", "")
                                                : name + " echo " + text)))
                        .get(
                                "/api/v1/sessions/{id}/events",
                                (req, res) -> res.header("Content-Type", "text/event-stream")
                                        .sendString(Flux.interval(Duration.ofMillis(50))
                                                .take(3)
                                                .map(i -> "event: frame\ndata: {\"sequence\":" + i + "}\n\n")))
                        .route(
                                req -> true,
                                (req, res) -> req.receive()
                                        .aggregate()
                                        .asByteArray()
                                        .defaultIfEmpty(new byte[0])
                                        .flatMap(body -> {
                                            requests.add(new Seen(req.method().name(), req.uri(), body.length));
                                            return res.header("Content-Type", "application/json")
                                                    .sendString(Mono.just("{\"service\":\"" + name + "\",\"method\":\""
                                                            + req.method().name() + "\",\"uri\":\"" + req.uri()
                                                            + "\",\"bodyBytes\":" + body.length + ",\"listenerId\":\""
                                                            + req.requestHeaders()
                                                                    .get("X-Listener-Id", "")
                                                            + "\",\"forwardedHost\":\""
                                                            + req.requestHeaders()
                                                                    .get("X-Forwarded-Host", "")
                                                            + "\",\"forwardedProto\":\""
                                                            + req.requestHeaders()
                                                                    .get("X-Forwarded-Proto", "")
                                                            + "\",\"forwardedFor\":\""
                                                            + req.requestHeaders()
                                                                    .get("X-Forwarded-For", "") + "\"}"))
                                                    .then();
                                        })))
                .bindNow();
    }

    private static org.reactivestreams.Publisher<Void> json(
            reactor.netty.http.server.HttpServerResponse res, String body) {
        return res.header("Content-Type", "application/json")
                .sendByteArray(Mono.just(body.getBytes(StandardCharsets.UTF_8)));
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
