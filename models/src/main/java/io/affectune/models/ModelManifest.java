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
            List<Double> std) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Output(String name, String type) {

        public boolean isLogits() {
            return type == null || "logits".equalsIgnoreCase(type);
        }
    }

    /**
     * How a detector box becomes the face the model sees (camera-service cuts it): a square of side
     * {@code boxScale * (w + h) / 2} around the box centre moved by {@code centerShiftX/Y} box sides (along the
     * face's own axes when {@code alignEyes} levels the eyes), reduced to {@link #faceSize()} pixels.
     * {@code calibrated}: whether the values were measured against the training faces' framing;
     * {@code method}: how. Read with {@link #requireCrop()}: there are no defaults.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Crop(
            Boolean calibrated,
            Double boxScale,
            Double centerShiftX,
            Double centerShiftY,
            Boolean alignEyes,
            String method) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Metrics(
            String split,
            Integer images,
            Double accuracy,
            Double macroRecall,
            Map<String, ClassMetrics> perClass,
            int[][] confusionMatrix) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ClassMetrics(double precision, double recall, int support) {}

    /**
     * {@code horizontalFlip}: consumers run the image and its horizontal mirror and average them (the logits when the
     * output is logits, then softmax: the maths of the manifest's metrics; see {@link OnnxClassifier#combineMirrored}).
     * {@code bakedIntoGraph}: the ONNX graph already averages the flip (models 0.1.0-0.4.0), so consumers must not add
     * it again.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tta(boolean horizontalFlip, boolean bakedIntoGraph) {}

    /** Checks the fields that inference depends on; the message names the field a person must fix. */
    public void validate() {
        require(id != null && !id.isBlank(), "\"id\" is missing");
        require(version != null && !version.isBlank(), "\"version\" is missing");
        require(labels != null && !labels.isEmpty(), "\"labels\" is missing");
        require(input != null, "\"input\" is missing");
        require(
                input.channels() == 1 || input.channels() == 3,
                "\"input.channels\" must be 1 or 3, was " + input.channels());
        require(input.height() > 0 && input.width() > 0, "\"input.height\"/\"input.width\" must be positive");
        require(
                input.layout() == null || "NCHW".equalsIgnoreCase(input.layout()),
                "only \"input.layout\": \"NCHW\" is supported, was " + input.layout());
        require(
                input.grayscale() == null || "bt601".equalsIgnoreCase(input.grayscale()),
                "only \"input.grayscale\": \"bt601\" is supported, was " + input.grayscale());
        require(
                input.interpolation() == null || "bilinear".equalsIgnoreCase(input.interpolation()),
                "only \"input.interpolation\": \"bilinear\" is supported, was " + input.interpolation());
        require(input.scale() > 0, "\"input.scale\" must be positive");
        require(
                input.mean() != null
                        && (input.mean().size() == 1 || input.mean().size() == input.channels()),
                "\"input.mean\" must have 1 or " + input.channels() + " values");
        require(
                input.std() != null && (input.std().size() == 1 || input.std().size() == input.channels()),
                "\"input.std\" must have 1 or " + input.channels() + " values");
        require(input.std().stream().allMatch(s -> s != 0.0), "\"input.std\" values must not be 0");
        require(input.sourceSize() == null || input.sourceSize() > 0, "\"input.sourceSize\" must be positive");
    }

    /**
     * The "crop" block, every field present and sane, for a consumer that cuts faces (camera-service). There are
     * no defaults: a manifest without a complete crop block is an error that names the missing field.
     */
    public Crop requireCrop() {
        require(
                crop != null,
                "\"crop\" is missing (the face framing: calibrated, boxScale, centerShiftX, "
                        + "centerShiftY, alignEyes; models/training/export.py writes it)");
        require(crop.calibrated() != null, "\"crop.calibrated\" is missing");
        require(
                crop.boxScale() != null && crop.boxScale() > 0 && Double.isFinite(crop.boxScale()),
                "\"crop.boxScale\" must be a positive number, was " + crop.boxScale());
        require(
                crop.centerShiftX() != null && Double.isFinite(crop.centerShiftX()),
                "\"crop.centerShiftX\" must be a number, was " + crop.centerShiftX());
        require(
                crop.centerShiftY() != null && Double.isFinite(crop.centerShiftY()),
                "\"crop.centerShiftY\" must be a number, was " + crop.centerShiftY());
        require(crop.alignEyes() != null, "\"crop.alignEyes\" is missing");
        return crop;
    }

    /**
     * Side in pixels of the face a consumer cuts: {@code input.sourceSize} (the size of the training faces, which
     * {@link FacePreprocessor} area-resizes any other face to), else the network's input height.
     */
    public int faceSize() {
        return input.sourceSize() != null ? input.sourceSize() : input.height();
    }

    /** Whether consumers must average the image and its mirror themselves (not when the graph does it). */
    public boolean horizontalFlipTta() {
        return tta != null && tta.horizontalFlip() && !tta.bakedIntoGraph();
    }

    /** Network passes per face: 2 when consumers run the mirror too ({@link #horizontalFlipTta()}), else 1. */
    public int passesPerFace() {
        return horizontalFlipTta() ? 2 : 1;
    }

    private void require(boolean condition, String problem) {
        if (!condition) {
            throw new InvalidModelException("model.json of " + (id == null ? "?" : id) + ": " + problem);
        }
    }
}
