package io.affectune.camera.analysis;

import io.affectune.camera.playlist.PlaylistClient;
import io.affectune.camera.web.ApiException;
import io.affectune.camera.web.ImageBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1")
public class AnalyzeController {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final FrameAnalyzer analyzer;
    private final ImageBodies bodies;

    public AnalyzeController(FrameAnalyzer analyzer, ImageBodies bodies) {
        this.analyzer = analyzer;
        this.bodies = bodies;
    }

    @Operation(summary = "Faces and emotions in one image",
            description = "Body: the JPEG or PNG image itself (Content-Type image/jpeg or image/png). Frames larger "
                    + "than the frame limit (1920x1080 by default) are downscaled; the answer then carries "
                    + "downscaledFrom and boxes refer to the reduced frame.")
    @PostMapping("/analyze")
    public Mono<FrameResult> analyze(ServerHttpRequest request,
                                     @Parameter(description = "also return a playlist for the largest face's emotion")
                                     @RequestParam(defaultValue = "false") boolean recommend,
                                     @Parameter(description = "the listener's random UUID (optional): the recommended "
                                             + "playlist is then their personal one (passed on to playlist-service)")
                                     @RequestHeader(value = PlaylistClient.LISTENER_HEADER, required = false) String listenerId) {
        Optional<String> listener = listener(listenerId);
        return bodies.read(request).flatMap(bytes -> analyzer.analyze(bytes, null, recommend, listener));
    }

    /** Checked here so a typo is a 400 at once, as playlist-service would answer, not a silent global playlist. */
    static Optional<String> listener(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String id = header.trim();
        if (!UUID_TEXT.matcher(id).matches()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Bad request", "The " + PlaylistClient.LISTENER_HEADER
                    + " header must be a UUID such as 3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b; '"
                    + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "' is not one.");
        }
        return Optional.of(id.toLowerCase(java.util.Locale.ROOT));
    }
}
