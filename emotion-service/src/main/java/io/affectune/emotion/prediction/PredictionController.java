package io.affectune.emotion.prediction;

import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.LoadedModel;
import io.affectune.emotion.model.MicroBatcher;
import io.affectune.support.image.DeclaredImageType;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.reactive.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1/predictions")
public class PredictionController {

    /** Milliseconds the caller still waits for the answer (camera-service sends its remaining timeout). */
    public static final String DEADLINE_HEADER = "X-Deadline-Ms";

    private final PredictionService predictions;
    private final int maxImageBytes;
    private final MultipartImages multipart;
    private final Duration queueDeadline;

    public PredictionController(PredictionService predictions, EmotionProperties properties) {
        this.predictions = predictions;
        this.maxImageBytes =
                (int) Math.min(Integer.MAX_VALUE, properties.maxImageSize().toBytes());
        this.queueDeadline = properties.queueDeadline();
        this.multipart = new MultipartImages(
                maxImageBytes,
                properties.maxBatchImages(),
                properties.maxBatchBodySize().toBytes());
    }

    @PostMapping
    @Parameter(in = ParameterIn.HEADER, name = RequestUrgency.HEADER, description = RequestUrgency.DESCRIPTION)
    @Operation(
            summary = "Emotion of one face image",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = {
                                @Content(
                                        mediaType = "image/jpeg",
                                        schema = @Schema(type = "string", format = "binary")),
                                @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary"))
                            }))
    public Mono<Prediction> predict(
            @Parameter(description = "model id (GET /api/v1/models); default DEFAULT_MODEL")
                    @RequestParam(name = "model", required = false)
                    String modelId,
            ServerHttpRequest request) {
        LoadedModel model = predictions.model(modelId);
        DeclaredImageType.require(request.getHeaders().getContentType(), false);
        return RequestBodies.readAll(request, maxImageBytes, this::tooLarge)
                .flatMap(bytes -> predictions.predict(model, bytes, budget(request), lane(request)));
    }

    @PostMapping("/batch")
    @Parameter(in = ParameterIn.HEADER, name = RequestUrgency.HEADER, description = RequestUrgency.DESCRIPTION)
    @Operation(
            summary = "Emotions of up to 32 face images (multipart/form-data, one part named 'image' per image), "
                    + "answered in the same order",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(mediaType = "multipart/form-data", schema = @Schema(type = "object"))))
    public Mono<List<Prediction>> predictBatch(
            @Parameter(description = "model id (GET /api/v1/models); default DEFAULT_MODEL")
                    @RequestParam(name = "model", required = false)
                    String modelId,
            @Parameter(
                            description =
                                    "the model version the caller prepared its images for (camera-service sends "
                                            + "the version of the manifest it framed the faces with); another loaded version is a 409")
                    @RequestParam(name = "version", required = false)
                    String version,
            ServerHttpRequest request) {
        LoadedModel model = predictions.model(modelId);
        if (version != null && !version.equals(model.version())) {
            throw new ApiProblem(
                            HttpStatus.CONFLICT,
                            "Model version mismatch",
                            "The request is for model '"
                                    + model.id() + "' version " + version + ", but version " + model.version()
                                    + " is loaded: both services must read the same model directory (MODELS_DIR, DEFAULT_MODEL)")
                    .type("model-version-mismatch")
                    .with("model", model.id())
                    .with("requestedVersion", version)
                    .with("loadedVersion", model.version());
        }
        Duration budget = budget(request);
        MicroBatcher.Lane lane = lane(request);
        return multipart
                .read(request)
                .collectList()
                .flatMap(parts -> predictions.predictAll(model, parts, budget, lane));
    }

    /** The request's lane, by its RFC 9218 {@code Priority} header ({@link RequestUrgency}). */
    private static MicroBatcher.Lane lane(ServerHttpRequest request) {
        return RequestUrgency.lane(request.getHeaders().getFirst(RequestUrgency.HEADER));
    }

    /**
     * The request's queueing budget: EMOTION_QUEUE_DEADLINE, or less when the caller says it will give up
     * sooner ({@value #DEADLINE_HEADER}: milliseconds it still waits, as camera-service sends): work whose
     * answer nobody waits for any more is not done.
     */
    private Duration budget(ServerHttpRequest request) {
        return budget(request.getHeaders().getFirst(DEADLINE_HEADER), queueDeadline);
    }

    /**
     * How long an image may wait for inference: the caller's {@link #DEADLINE_HEADER} when shorter than the
     * queueing deadline, else that deadline.
     *
     * @throws ApiProblem 400 when the header is not a whole number of milliseconds
     */
    static Duration budget(String header, Duration queueDeadline) {
        if (header != null) {
            try {
                long millis = Long.parseLong(header.trim());
                if (millis >= 0 && millis < queueDeadline.toMillis()) {
                    return Duration.ofMillis(millis);
                }
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest(DEADLINE_HEADER + " must be a whole number of milliseconds, not '"
                        + (header.length() > 20 ? header.substring(0, 20) + "..." : header) + "'");
            }
        }
        return queueDeadline;
    }

    private ApiProblem tooLarge(long limit) {
        return ApiProblem.tooLarge(
                        "Image too large",
                        "The body is larger than the limit of " + limit
                                + " bytes (EMOTION_MAX_IMAGE_SIZE): send a face crop")
                .with("maxBytes", limit);
    }
}
