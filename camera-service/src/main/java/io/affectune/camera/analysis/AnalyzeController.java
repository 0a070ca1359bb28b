package io.affectune.camera.analysis;

import io.affectune.camera.web.ImageBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1")
public class AnalyzeController {

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
                                     @RequestParam(defaultValue = "false") boolean recommend) {
        return bodies.read(request).flatMap(bytes -> analyzer.analyze(bytes, null, recommend));
    }
}
