package io.affectune.camera.emotion;

import io.affectune.camera.vision.CropSettings;
import io.affectune.models.InvalidModelException;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model camera-service cuts faces for (DEFAULT_MODEL): its id and version, which every batch call to
 * emotion-service names, and its face framing, read from the model manifest (MODELS_DIR/&lt;id&gt;/model.json) by
 * the runtime model library (io.affectune:models, {@link ModelManifest#requireCrop()}). There are no built-in
 * values: a missing or incomplete manifest stops the start with a message that says what to fix.
 */
public record ModelFraming(String modelId, String version, Path manifest, CropSettings crop, boolean calibrated) {

    private static final Logger log = LoggerFactory.getLogger(ModelFraming.class);

    /** Reads the model's manifest; throws {@link InvalidModelException} naming the setting or field to fix. */
    public static ModelFraming load(String modelsDir, String modelId) {
        ModelDescriptor model;
        try {
            model = ModelDirectory.load(ModelDirectory.resolve(modelsDir).resolve(modelId));
            return of(model);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(
                    "camera-service cannot frame faces for model '" + modelId
                            + "' (DEFAULT_MODEL) from MODELS_DIR ("
                            + (modelsDir == null || modelsDir.isBlank() ? "unset: ./models or ../models" : modelsDir)
                            + "): " + e.getMessage(),
                    e);
        }
    }

    public static ModelFraming of(ModelDescriptor model) {
        ModelManifest manifest = model.manifest();
        ModelManifest.Crop crop = manifest.requireCrop();
        CropSettings settings = new CropSettings(
                crop.boxScale(), crop.centerShiftX(), crop.centerShiftY(), crop.alignEyes(), manifest.faceSize());
        Path file = model.directory().resolve(ModelDirectory.MANIFEST_FILE);
        if (crop.calibrated()) {
            log.info("Model {} {} framing from {}: {}", manifest.id(), manifest.version(), file, settings);
        } else {
            log.warn(
                    "Model {} {} framing from {} is NOT calibrated ({}): faces may be framed unlike the training "
                            + "faces; run camera-service/scripts/calibrate-crop.sh",
                    manifest.id(),
                    manifest.version(),
                    file,
                    settings);
        }
        return new ModelFraming(manifest.id(), manifest.version(), file, settings, crop.calibrated());
    }

    /** MODELS_DIR, else ./models or ../models relative to the working directory (the contract). */
    public static Optional<Path> locateModelsDir(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        return List.of(Path.of("models"), Path.of("..", "models")).stream()
                .filter(Files::isDirectory)
                .findFirst();
    }
}
