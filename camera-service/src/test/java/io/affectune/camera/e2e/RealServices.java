package io.affectune.camera.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real emotion model and the sibling services' jars are, for the end-to-end tests. */
final class RealServices {

    private RealServices() {
    }

    static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("camera-service")) ? here : here.getParent();
    }

    /** MODELS_DIR when set (e.g. a development model), else the repository's models/ directory. */
    static Path modelsDir() {
        String configured = System.getenv("MODELS_DIR");
        return configured != null && !configured.isBlank() ? Path.of(configured) : repository().resolve("models");
    }

    static boolean modelPresent() {
        return Files.isRegularFile(modelsDir().resolve("effnetb3-fer2013").resolve("model.json"));
    }

    static boolean jarBuilt(String module) {
        try (var files = Files.list(repository().resolve(module).resolve("target"))) {
            return files.anyMatch(p -> p.getFileName().toString().matches(module + "-.*\\.jar"));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
