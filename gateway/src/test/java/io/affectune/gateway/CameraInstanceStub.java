package io.affectune.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server standing in for one camera-service instance: it keeps its own sessions and sources in
 * memory, as camera-service does, and names itself in the ids it creates ({@code <instance>_<n>}; the instance
 * name is its port, so that the gateway's {@code http://127.0.0.1:{instance}} finds it). An id it does not hold
 * gets camera-service's 404 problem; every answer says which instance gave it.
 */
final class CameraInstanceStub implements AutoCloseable {

    private final DisposableServer server;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final Set<String> sources = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    final List<String> requests = new CopyOnWriteArrayList<>();

    CameraInstanceStub() {
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post("/api/v1/sessions", (req, res) -> {
                            requests.add("POST " + req.uri());
                            return res.status(HttpResponseStatus.CREATED)
                                    .sendByteArray(json(
                                            res, "{\"id\":\"" + newSession() + "\",\"instance\":\"" + name() + "\"}"));
                        })
                        .get("/api/v1/sessions/{id}", (req, res) -> {
                            requests.add("GET " + req.uri());
                            String id = req.param("id");
                            return sessions.contains(id)
                                    ? res.sendByteArray(
                                            json(res, "{\"id\":\"" + id + "\",\"instance\":\"" + name() + "\"}"))
                                    : unknown(res, "session", id);
                        })
                        .get("/api/v1/sessions/{id}/events", (req, res) -> {
                            requests.add("GET " + req.uri());
                            String id = req.param("id");
                            return !sessions.contains(id)
                                    ? unknown(res, "session", id)
                                    : res.header("Content-Type", "text/event-stream")
                                            .sendString(Flux.interval(Duration.ofMillis(20))
                                                    .take(2)
                                                    .map(i -> "event: frame\ndata: {\"instance\":\"" + name()
                                                            + "\",\"sequence\":" + i + "}\n\n"));
                        })
                        .route(req -> req.uri().matches("/api/v1/sessions/[^/]+/stream"), (req, res) -> {
                            String id = req.uri().split("/")[4];
                            requests.add("WS " + id);
                            return res.sendWebsocket((in, out) -> out.sendString(in.receive()
                                    .asString()
                                    .map(text ->
                                            name() + " " + (sessions.contains(id) ? "known" : "new") + " " + text)));
                        })
                        .delete("/api/v1/sources/{id}", (req, res) -> {
                            requests.add("DELETE " + req.uri());
                            String id = req.param("id");
                            return sources.remove(id)
                                    ? res.status(HttpResponseStatus.NO_CONTENT).send()
                                    : unknown(res, "source", id);
                        }))
                .bindNow();
    }

    /** A session created here, as if the load-balanced Service had sent the POST to this instance. */
    String newSession() {
        String id = name() + "_s" + next.incrementAndGet();
        sessions.add(id);
        return id;
    }

    String newSource() {
        String id = name() + "_src" + next.incrementAndGet();
        sources.add(id);
        return id;
    }

    String name() {
        return String.valueOf(server.port());
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    private static Mono<byte[]> json(HttpServerResponse res, String body) {
        res.header("Content-Type", "application/json");
        return Mono.just(body.getBytes(StandardCharsets.UTF_8));
    }

    private org.reactivestreams.Publisher<Void> unknown(HttpServerResponse res, String what, String id) {
        return res.status(HttpResponseStatus.NOT_FOUND)
                .header("Content-Type", "application/problem+json")
                .sendString(Mono.just("{\"type\":\"urn:affectune:problem:unknown-" + what + "\",\"status\":404,"
                        + "\"detail\":\"instance " + name() + " holds no " + what + " '" + id + "'\"}"));
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
