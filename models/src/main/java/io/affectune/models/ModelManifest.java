package io.affectune.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * The model.json manifest that travels beside every model.onnx. Consumers read the input size,
 * grayscale rule, normalisation and labels from here instead of hard-coding them, so that a
 * retrained model with other choices needs no code change. Unknown fields are ignored so that the
 * training pipeline may add information without breaking older readers.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
        String id,
        String version,
        String architecture,
        String onnx,
        Integer opset,
        List<String> labels,
        Input input,
        Output output,
        Crop crop,
        Metrics metrics,
        Tta tta) {

    /** The seven classes in the order used everywhere in the project. */
    public static final List<String> EMOTIONS =
            List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Input(
            String name,
            String layout,
            int channels,
            int height,
            int width,
            String grayscale,
            Integer sourceSize,
            String interpolation,
            boolean histogramEqualization,
            double scale,
            List<Double> mean,
            List<Double> std) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Output(String name, String type) {

        public boolean isLogits() {
            return type == null || "logits".equalsIgnoreCase(type);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Crop(Boolean calibrated, Double boxScale, Double centerShiftY, Boolean alignEyes, String method) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Metrics(
            String split,
            Integer images,
            Double accuracy,
            Double macroRecall,
            Map<String, ClassMetrics> perClass,
            int[][] confusionMatrix) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ClassMetrics(double precision, double recall, int support) {
    }

    /** {@code bakedIntoGraph}: the ONNX graph already averages the flip, so consumers must not add it again. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tta(boolean horizontalFlip, boolean bakedIntoGraph) {
    }

    /** Checks the fields that inference depends on; the message names the field a person must fix. */
    public void validate() {
        require(id != null && !id.isBlank(), "\"id\" is missing");
        require(labels != null && !labels.isEmpty(), "\"labels\" is missing");
        require(input != null, "\"input\" is missing");
        require(input.channels() == 1 || input.channels() == 3,
                "\"input.channels\" must be 1 or 3, was " + input.channels());
        require(input.height() > 0 && input.width() > 0, "\"input.height\"/\"input.width\" must be positive");
        require(input.layout() == null || "NCHW".equalsIgnoreCase(input.layout()),
                "only \"input.layout\": \"NCHW\" is supported, was " + input.layout());
        require(input.grayscale() == null || "bt601".equalsIgnoreCase(input.grayscale()),
                "only \"input.grayscale\": \"bt601\" is supported, was " + input.grayscale());
        require(input.interpolation() == null || "bilinear".equalsIgnoreCase(input.interpolation()),
                "only \"input.interpolation\": \"bilinear\" is supported, was " + input.interpolation());
        require(input.scale() > 0, "\"input.scale\" must be positive");
        require(input.mean() != null && (input.mean().size() == 1 || input.mean().size() == input.channels()),
                "\"input.mean\" must have 1 or " + input.channels() + " values");
        require(input.std() != null && (input.std().size() == 1 || input.std().size() == input.channels()),
                "\"input.std\" must have 1 or " + input.channels() + " values");
        require(input.std().stream().allMatch(s -> s != 0.0), "\"input.std\" values must not be 0");
        require(input.sourceSize() == null || input.sourceSize() > 0, "\"input.sourceSize\" must be positive");
    }

    /** Whether consumers must average the image and its mirror themselves (not when the graph does it). */
    public boolean horizontalFlipTta() {
        return tta != null && tta.horizontalFlip() && !tta.bakedIntoGraph();
    }

    private void require(boolean condition, String problem) {
        if (!condition) {
            throw new InvalidModelException("model.json of " + (id == null ? "?" : id) + ": " + problem);
        }
    }
}
