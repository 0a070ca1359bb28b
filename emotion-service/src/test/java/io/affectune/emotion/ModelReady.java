package io.affectune.emotion;

import static org.assertj.core.api.Assertions.fail;

import io.affectune.emotion.model.ModelRegistry;
import java.time.Duration;
import java.time.Instant;
import org.springframework.test.web.reactive.server.WebTestClient;

final class ModelReady {

    private ModelReady() {}

    /** Waits for the background model loading; fails with the registry's reason if it cannot serve. */
    static void await(ModelRegistry registry) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (registry.state() == ModelRegistry.State.LOADING && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (registry.state() != ModelRegistry.State.READY) {
            fail("emotion-service cannot serve: " + registry.problem());
        }
    }

    /**
     * Waits for the models, then gives a client that waits up to 60 s for an answer (the real model on a loaded
     * 2-core machine), for tests that send real faces.
     */
    static WebTestClient patientClient(ModelRegistry registry, WebTestClient client) {
        await(registry);
        return client.mutate().responseTimeout(Duration.ofSeconds(60)).build();
    }
}
