package io.affectune.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * One model found on disk: its directory, the parsed manifest, and the manifest as written (so that
 * an API can show the fields this library does not model, such as training details).
 */
public record ModelDescriptor(Path directory, ModelManifest manifest, JsonNode rawManifest) {

    public String id() {
        return manifest.id();
    }

    public Path onnxFile() {
        String file = manifest.onnx() == null ? "model.onnx" : manifest.onnx();
        return directory.resolve(file);
    }
}
