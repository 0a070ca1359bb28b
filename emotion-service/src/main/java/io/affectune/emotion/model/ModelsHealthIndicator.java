package io.affectune.emotion.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** DOWN while the models load and when the default model cannot be served; UP once it can. */
@Component("models")
public class ModelsHealthIndicator implements HealthIndicator {

    private final ModelRegistry registry;

    public ModelsHealthIndicator(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", registry.state().name().toLowerCase());
        details.put("defaultModel", registry.defaultModelId());
        if (registry.modelsDir() != null) {
            details.put("modelsDir", registry.modelsDir().toString());
        }
        details.put(
                "loaded",
                registry.loaded().stream().map(m -> m.id() + " " + m.version()).toList());
        if (!registry.failures().isEmpty()) {
            details.put("failed", registry.failures());
        }
        if (registry.problem() != null) {
            details.put("problem", registry.problem());
        }
        Health.Builder builder = registry.state() == ModelRegistry.State.READY ? Health.up() : Health.down();
        return builder.withDetails(details).build();
    }
}
