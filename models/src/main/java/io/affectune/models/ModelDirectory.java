package io.affectune.models;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds models: every immediate subdirectory of a models directory that holds a model.json. */
public final class ModelDirectory {

    public static final String MANIFEST_FILE = "model.json";

    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ModelDirectory() {}

    /**
     * The models directory to use: the configured one if given, else ./models or ../models relative
     * to the working directory (so that both the repository root and a module directory work).
     */
    public static Path resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.isDirectory(path)) {
                throw new InvalidModelException("MODELS_DIR " + path + " is not a directory");
            }
            return path;
        }
        Path workingDir = Path.of("").toAbsolutePath();
        for (Path candidate : List.of(workingDir.resolve("models"), workingDir.resolveSibling("models"))) {
            if (Files.isDirectory(candidate) && holdsManifests(candidate)) {
                return candidate.normalize();
            }
        }
        throw new InvalidModelException("no models directory found: looked for */" + MANIFEST_FILE + " under "
                + workingDir.resolve("models") + " and " + workingDir.resolveSibling("models")
                + "; set MODELS_DIR to the repository's models/ directory");
    }

    /** Every model under {@code modelsDir}, sorted by id. */
    public static List<ModelDescriptor> scan(Path modelsDir) {
        List<ModelDescriptor> models = new ArrayList<>();
        try (Stream<Path> children = Files.list(modelsDir)) {
            for (Path manifest : children.map(dir -> dir.resolve(MANIFEST_FILE))
                    .filter(Files::isRegularFile)
                    .toList()) {
                models.add(load(manifest.getParent()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelsDir, e);
        }
        models.sort(Comparator.comparing(ModelDescriptor::id));
        return models;
    }

    /** Loads one model directory (or the directory of a given model.json). */
    public static ModelDescriptor load(Path modelDir) {
        Path dir = Files.isRegularFile(modelDir) ? modelDir.getParent() : modelDir;
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new InvalidModelException("no " + MANIFEST_FILE + " in " + dir.toAbsolutePath());
        }
        try {
            JsonNode raw = MAPPER.readTree(manifestFile.toFile());
            ModelManifest manifest = MAPPER.treeToValue(raw, ModelManifest.class);
            manifest.validate();
            return new ModelDescriptor(dir.toAbsolutePath().normalize(), manifest, raw);
        } catch (IOException e) {
            throw new InvalidModelException("cannot read " + manifestFile.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static boolean holdsManifests(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.anyMatch(child -> Files.isRegularFile(child.resolve(MANIFEST_FILE)));
        } catch (IOException e) {
            return false;
        }
    }

    public static Optional<ModelDescriptor> find(List<ModelDescriptor> models, String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst();
    }
}
