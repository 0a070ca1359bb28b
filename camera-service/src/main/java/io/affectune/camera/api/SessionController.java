package io.affectune.camera.api;

import io.affectune.camera.feed.SessionFeeds;
import io.affectune.camera.frame.FrameResult;
import io.affectune.camera.session.Mood;
import io.affectune.camera.session.Playlist;
import io.affectune.camera.session.Session;
import io.affectune.camera.session.SessionRegistry;
import io.affectune.camera.web.ClientAddress;
import io.affectune.support.problem.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

@RestController
@RequestMapping("/api/v1/sessions")
public class SessionController {

    private static final String BOUNDARY = "frame";

    private final SessionRegistry sessions;
    private final SessionFeeds feeds;

    public SessionController(SessionRegistry sessions, SessionFeeds feeds) {
        this.sessions = sessions;
        this.feeds = feeds;
    }

    public record SessionView(
            String id,
            Instant created,
            Instant lastActivity,
            long processedFrames,
            long droppedFrames,
            Mood mood,
            Playlist playlist) {}

    @Operation(
            summary = "Create a session (a WebSocket to an unknown id also creates one)",
            description = "At most SESSION_CREATE_PER_CLIENT_PER_MINUTE new sessions per client address (429 with "
                    + "Retry-After beyond), SESSION_MAX in all (503 with Retry-After when full).")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public SessionView create(ServerHttpRequest request) {
        return view(sessions.create(ClientAddress.of(request)));
    }

    @GetMapping("/{id}")
    public SessionView get(@PathVariable String id) {
        return view(find(id));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        if (!sessions.remove(id)) {
            throw SessionController.unknownSession(id);
        }
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Live results of a session as server-sent events (one 'frame' event per processed frame)")
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<FrameResult>> events(@PathVariable String id) {
        Session session = find(id);
        Flux<FrameResult> results = feeds.events(session);
        Flux<ServerSentEvent<FrameResult>> frames = results.map(r -> ServerSentEvent.builder(r)
                .event("frame")
                .id(String.valueOf(r.sequence()))
                .build());
        Flux<ServerSentEvent<FrameResult>> heartbeat = Flux.interval(Duration.ofSeconds(15))
                .map(i -> ServerSentEvent.<FrameResult>builder()
                        .comment("keep-alive")
                        .build());
        // the stream opens at once (an opening comment sends the headers): a client learns that it watches the
        // session before its first frame, not only at the first frame or keep-alive
        Flux<ServerSentEvent<FrameResult>> opening =
                Flux.just(ServerSentEvent.<FrameResult>builder().comment("open").build());
        return Flux.concat(opening, Flux.merge(frames, heartbeat)).takeUntilOther(results.then());
    }

    @Operation(summary = "Annotated frames of a session as an MJPEG stream (multipart/x-mixed-replace)")
    @GetMapping(path = "/{id}/preview.mjpg")
    public ResponseEntity<Flux<DataBuffer>> preview(@PathVariable String id) {
        Session session = find(id);
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        Flux<DataBuffer> parts = feeds.previews(session).map(jpeg -> {
            byte[] head = ("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            DataBuffer buffer = buffers.allocateBuffer(head.length + jpeg.length + 2);
            buffer.write(head);
            buffer.write(jpeg);
            buffer.write(new byte[] {'\r', '\n'});
            return buffer;
        });
        // a preamble (ignored by readers, RFC 2046) sends the headers at once, before the first annotated frame
        Flux<DataBuffer> preamble = Flux.defer(() -> Flux.just(buffers.wrap(new byte[] {'\r', '\n'})));
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_TYPE, "multipart/x-mixed-replace; boundary=" + BOUNDARY)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(Flux.concat(preamble, parts));
    }

    static ApiProblem unknownSession(String id) {
        return ApiProblem.notFound("No session '" + id + "': it never existed or expired after being idle")
                .type("unknown-session");
    }

    private Session find(String id) {
        return sessions.find(id).orElseThrow(() -> SessionController.unknownSession(id));
    }

    private static SessionView view(Session s) {
        return new SessionView(
                s.id(),
                s.created(),
                s.lastActivity(),
                s.processedFrames(),
                s.droppedFrames(),
                s.currentMood(),
                s.lastPlaylist());
    }
}
