package io.affectune.camera.source;

import io.affectune.camera.session.Session;
import io.affectune.camera.session.SessionRegistry;
import io.affectune.camera.web.ClientAddress;
import io.affectune.support.problem.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import java.util.Collection;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

@RestController
@RequestMapping("/api/v1/sources")
public class SourceController {

    private final VideoSources sources;
    private final SessionRegistry sessions;

    public SourceController(VideoSources sources, SessionRegistry sessions) {
        this.sources = sources;
        this.sessions = sessions;
    }

    public record OpenSource(String uri, String sessionId, Integer fps) {}

    @Operation(
            summary = "Open a camera index, video file or stream URL into a session",
            description = "Results then arrive on GET /api/v1/sessions/{sessionId}/events and preview.mjpg. "
                    + "Without sessionId a new session is created.")
    @PostMapping
    public Mono<ResponseEntity<VideoSources.SourceView>> open(
            @RequestBody(required = false) OpenSource request, ServerHttpRequest http) {
        if (request == null) {
            return Mono.error(new ApiProblem(HttpStatus.BAD_REQUEST, "Bad source", "Send {\"uri\": ...} as JSON"));
        }
        String client = ClientAddress.of(http);
        Supplier<Session> session =
                request.sessionId() == null || request.sessionId().isBlank()
                        ? () -> sessions.create(client)
                        : () -> sessions.open(request.sessionId(), client);
        // opening a device or file blocks, so it runs off the event loop
        return Mono.fromCallable(() -> sources.open(request.uri(), session, request.fps()))
                .subscribeOn(Schedulers.boundedElastic())
                .map(view -> ResponseEntity.status(HttpStatus.CREATED).body(view));
    }

    @GetMapping
    public Collection<VideoSources.SourceView> list() {
        return sources.all();
    }

    @GetMapping("/{id}")
    public VideoSources.SourceView get(@PathVariable String id) {
        return sources.find(id).orElseThrow(() -> unknown(id));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> stop(@PathVariable String id) {
        if (!sources.stop(id)) {
            throw unknown(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static ApiProblem unknown(String id) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "Unknown source", "No source '" + id + "'");
    }
}
