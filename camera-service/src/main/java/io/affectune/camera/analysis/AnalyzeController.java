package io.affectune.camera.analysis;

import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.frame.FrameResult;
import io.affectune.camera.playlist.PlaylistClient;
import io.affectune.support.image.DeclaredImageType;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.reactive.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.Optional;
import java.util.regex.Pattern;
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
    private final long maxImageBytes;

    public AnalyzeController(FrameAnalyzer analyzer, CameraProperties properties) {
        this.analyzer = analyzer;
        this.maxImageBytes = properties.limits().maxImageBytes();
    }

    @Operation(
            summary = "Faces and emotions in one image",
            description = "Body: the JPEG or PNG image itself (Content-Type image/jpeg or image/png). Frames larger "
                    + "than the frame limit (1920x1080 by default) are downscaled; the answer then carries "
                    + "downscaledFrom and boxes refer to the reduced frame.")
    @PostMapping("/analyze")
    public Mono<FrameResult> analyze(
            ServerHttpRequest request,
            @Parameter(description = "also return a playlist for the largest face's emotion")
                    @RequestParam(defaultValue = "false")
                    boolean recommend,
            @Parameter(
                            description = "the listener's random UUID (optional): the recommended "
                                    + "playlist is then their personal one (passed on to playlist-service)")
                    @RequestHeader(value = PlaylistClient.LISTENER_HEADER, required = false)
                    String listenerId) {
        Optional<String> listener = listener(listenerId);
        DeclaredImageType.require(request.getHeaders().getContentType(), true);
        return RequestBodies.readAll(request, maxImageBytes, AnalyzeController::tooLarge)
                .flatMap(bytes -> analyzer.analyze(bytes, null, recommend, listener));
    }

    private static ApiProblem tooLarge(long limit) {
        return ApiProblem.tooLarge(
                        "Image too large",
                        "The image is larger than " + limit + " bytes (MAX_IMAGE_BYTES): send a smaller JPEG")
                .with("maxBytes", limit);
    }

    /** Checked here so a typo is a 400 at once, as playlist-service would answer, not a silent global playlist. */
    static Optional<String> listener(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String id = header.trim();
        if (!UUID_TEXT.matcher(id).matches()) {
            throw ApiProblem.badRequest("The " + PlaylistClient.LISTENER_HEADER
                    + " header must be a UUID such as 3f2b6c1e-8a4d-4e2f-9b7a-1c2d3e4f5a6b; '"
                    + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "' is not one.");
        }
        return Optional.of(id.toLowerCase(java.util.Locale.ROOT));
    }
}
