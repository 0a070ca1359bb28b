package io.affectune.emotion.prediction;

import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.LoadedModel;
import io.affectune.emotion.problem.InputProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.List;

@RestController
@RequestMapping("/api/v1/predictions")
public class PredictionController {

    private final PredictionService predictions;
    private final int maxImageBytes;
    private final MultipartImages multipart;

    public PredictionController(PredictionService predictions, EmotionProperties properties) {
        this.predictions = predictions;
        this.maxImageBytes = (int) Math.min(Integer.MAX_VALUE, properties.maxImageSize().toBytes());
        this.multipart = new MultipartImages(maxImageBytes, properties.maxBatchImages());
    }

    @PostMapping
    @Operation(summary = "Emotion of one face image",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary"))}))
    public Mono<Prediction> predict(
            @Parameter(description = "model id (GET /api/v1/models); default DEFAULT_MODEL")
            @RequestParam(name = "model", required = false) String modelId,
            ServerHttpRequest request) {
        LoadedModel model = predictions.model(modelId);
        long declaredLength = request.getHeaders().getContentLength();
        if (declaredLength > maxImageBytes) {
            throw tooLarge(declaredLength);
        }
        ImageDecoder.checkDeclaredType(request.getHeaders().getContentType());
        return DataBufferUtils.join(request.getBody(), maxImageBytes)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge(-1))
                .flatMap(bytes -> predictions.predict(model, bytes));
    }

    @PostMapping("/batch")
    @Operation(summary = "Emotions of up to 32 face images (multipart/form-data, one part named 'image' per image), "
            + "answered in the same order",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content =
            @Content(mediaType = "multipart/form-data", schema = @Schema(type = "object"))))
    public Mono<List<Prediction>> predictBatch(
            @Parameter(description = "model id (GET /api/v1/models); default DEFAULT_MODEL")
            @RequestParam(name = "model", required = false) String modelId,
            ServerHttpRequest request) {
        LoadedModel model = predictions.model(modelId);
        return multipart.read(request).collectList().flatMap(parts -> predictions.predictAll(model, parts));
    }

    private InputProblem tooLarge(long length) {
        return new InputProblem(HttpStatus.PAYLOAD_TOO_LARGE, "Image too large",
                (length > 0 ? "the body is " + length + " bytes; " : "the body is larger than allowed; ")
                        + "the limit is " + maxImageBytes + " bytes (EMOTION_MAX_IMAGE_SIZE): send a face crop");
    }
}
