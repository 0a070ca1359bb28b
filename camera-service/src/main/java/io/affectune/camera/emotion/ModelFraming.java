package io.affectune.camera.emotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.camera.vision.CropSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What camera-service needs from the model manifest (models/<id>/model.json): how to frame a face
 * (the "crop" block) and the size of the faces the model was trained on (input.sourceSize).
 * Everything else in the manifest belongs to emotion-service.
 */
public record ModelFraming(String modelId, Path manifest, CropSettings crop, boolean calibrated) {

    private static final Logger log = LoggerFactory.getLogger(ModelFraming.class);

    /** Used when no manifest is found: the values calibrated for effnetb3-fer2013 (see README). */
    public static final CropSettings FALLBACK = new CropSettings(1.095, 0.002, -0.023, true, 48);

    public static ModelFraming load(String modelsDir, String modelId, ObjectMapper json) {
        Optional<Path> manifest = locateModelsDir(modelsDir).map(dir -> dir.resolve(modelId).resolve("model.json"))
                .filter(Files::isRegularFile);
        if (manifest.isEmpty()) {
            log.warn("No manifest for model {} (MODELS_DIR={}); using built-in framing {}", modelId, modelsDir, FALLBACK);
            return new ModelFraming(modelId, null, FALLBACK, false);
        }
        try {
            return fromJson(modelId, manifest.get(), json.readTree(manifest.get().toFile()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read model manifest " + manifest.get() + ": " + e.getMessage(), e);
        }
    }

    static ModelFraming fromJson(String modelId, Path path, JsonNode root) {
        JsonNode crop = root.path("crop");
        int sourceSize = root.path("input").path("sourceSize").asInt(0);
        if (sourceSize <= 0) {
            sourceSize = root.path("input").path("height").asInt(FALLBACK.outputSize());
        }
        CropSettings settings = new CropSettings(
                crop.path("boxScale").asDouble(FALLBACK.boxScale()),
                crop.path("centerShiftX").asDouble(FALLBACK.centerShiftX()),
                crop.path("centerShiftY").asDouble(FALLBACK.centerShiftY()),
                crop.path("alignEyes").asBoolean(FALLBACK.alignEyes()),
                sourceSize);
        boolean calibrated = crop.path("calibrated").asBoolean(false);
        log.info("Model {} framing from {}: {} (calibrated: {})", modelId, path, settings, calibrated);
        return new ModelFraming(modelId, path, settings, calibrated);
    }

    /** MODELS_DIR, else ./models or ../models relative to the working directory (the contract). */
    public static Optional<Path> locateModelsDir(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        return List.of(Path.of("models"), Path.of("..", "models")).stream()
                .filter(Files::isDirectory).findFirst();
    }
}
