package io.affectune.emotion.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Which models are loaded, with their manifests (including validation metrics). */
@RestController
@RequestMapping("/api/v1/models")
public class ModelsController {

    public record ModelInfo(String id, String version, boolean isDefault, JsonNode manifest) {}

    public record ModelsAnswer(String defaultModel, String state, List<ModelInfo> models, Map<String, String> failed) {}

    private final ModelRegistry registry;

    public ModelsController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    @Operation(summary = "Loaded models with their manifests (model.json) and validation metrics")
    public ModelsAnswer models() {
        List<ModelInfo> models = registry.loaded().stream()
                .map(m -> new ModelInfo(
                        m.id(),
                        m.version(),
                        m.id().equals(registry.defaultModelId()),
                        m.descriptor().rawManifest()))
                .toList();
        return new ModelsAnswer(
                registry.defaultModelId(), registry.state().name().toLowerCase(), models, registry.failures());
    }
}
