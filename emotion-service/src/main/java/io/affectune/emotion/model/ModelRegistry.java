package io.affectune.emotion.model;

import io.affectune.emotion.EmotionProperties;
import io.affectune.models.FacePreprocessor;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Loads every model of MODELS_DIR in the background at start-up (health stays DOWN until the
 * default model is ready) and closes their sessions at shutdown.
 */
@Component
public class ModelRegistry implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    public enum State {
        LOADING,
        READY,
        FAILED
    }

    private final EmotionProperties properties;
    private final MeterRegistry meters;
    private final Map<String, LoadedModel> models = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private volatile State state = State.LOADING;
    private volatile String problem = "models are loading";
    private volatile Path modelsDir;
    private volatile boolean running;
    private Thread loader;

    public ModelRegistry(EmotionProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public void start() {
        running = true;
        loader = new Thread(this::loadAll, "model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void loadAll() {
        try {
            modelsDir = ModelDirectory.resolve(properties.modelsDir());
            List<ModelDescriptor> found = ModelDirectory.scan(modelsDir);
            for (ModelDescriptor descriptor : found) {
                try {
                    LoadedModel model = load(descriptor);
                    synchronized (this) {
                        models.put(model.id(), model);
                    }
                    log.info("loaded model {} {} from {}", model.id(), model.version(), descriptor.onnxFile());
                } catch (RuntimeException e) {
                    log.error("cannot load model {}: {}", descriptor.id(), e.getMessage());
                    synchronized (this) {
                        failures.put(descriptor.id(), e.getMessage());
                    }
                }
            }
            if (!models.containsKey(properties.defaultModel())) {
                String why = failures.containsKey(properties.defaultModel())
                        ? failures.get(properties.defaultModel())
                        : "no directory with a model.json whose id is '" + properties.defaultModel() + "' in "
                                + modelsDir + " (found: "
                                + found.stream().map(ModelDescriptor::id).toList() + ")";
                fail("default model " + properties.defaultModel() + " (DEFAULT_MODEL) is not available: " + why);
                return;
            }
            state = State.READY;
            problem = null;
        } catch (RuntimeException e) {
            fail(e.getMessage());
        }
    }

    private void fail(String message) {
        log.error("emotion-service cannot serve: {}", message);
        problem = message;
        state = State.FAILED;
    }

    private LoadedModel load(ModelDescriptor descriptor) {
        String id = descriptor.id();
        OnnxClassifier classifier =
                new OnnxClassifier(descriptor, properties.intraOpThreads(), properties.intraOpSpinning());
        Timer timer = Timer.builder("emotion.inference")
                .description("Time of one ONNX Runtime run (a whole micro-batch)")
                .tag("model", id)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(meters);
        DistributionSummary batchSizes = DistributionSummary.builder("emotion.inference.batch.size")
                .description("Rows per ONNX Runtime run (with flip TTA an image is two rows: itself and its mirror)")
                .tag("model", id)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32)
                .register(meters);
        FacePreprocessor preprocessor = new FacePreprocessor(descriptor.manifest());
        MicroBatcher interactive =
                batcher(descriptor, MicroBatcher.Lane.INTERACTIVE, classifier, preprocessor, timer, batchSizes);
        MicroBatcher background =
                batcher(descriptor, MicroBatcher.Lane.BACKGROUND, classifier, preprocessor, timer, batchSizes);
        return new LoadedModel(descriptor, preprocessor, classifier, interactive, background);
    }

    /** One lane's batcher; its queue depth is the gauge {@code emotion.queue.depth} tagged with the lane. */
    private MicroBatcher batcher(
            ModelDescriptor descriptor,
            MicroBatcher.Lane lane,
            OnnxClassifier classifier,
            FacePreprocessor preprocessor,
            Timer timer,
            DistributionSummary batchSizes) {
        MicroBatcher batcher = new MicroBatcher(
                descriptor.id(),
                lane,
                classifier,
                preprocessor,
                descriptor.manifest().horizontalFlipTta(),
                properties.maxBatchSize(),
                properties.maxBatchWait(),
                properties.queueCapacity(),
                properties.effectiveInferenceThreads(),
                timer,
                batchSizes);
        Gauge.builder("emotion.queue.depth", batcher, MicroBatcher::queueDepth)
                .description("Images waiting for inference")
                .tag("model", descriptor.id())
                .tag("lane", lane.name().toLowerCase(Locale.ROOT))
                .register(meters);
        return batcher;
    }

    public State state() {
        return state;
    }

    /** Why the service cannot serve (null when ready). */
    public String problem() {
        return problem;
    }

    public Path modelsDir() {
        return modelsDir;
    }

    public String defaultModelId() {
        return properties.defaultModel();
    }

    public synchronized List<LoadedModel> loaded() {
        return List.copyOf(models.values());
    }

    public synchronized Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    /** The model for a request: the named one, or the default when none is named. */
    public Optional<LoadedModel> find(String id) {
        String wanted = id == null || id.isBlank() ? properties.defaultModel() : id;
        synchronized (this) {
            return Optional.ofNullable(models.get(wanted));
        }
    }

    @Override
    public void stop() {
        running = false;
        if (loader != null) {
            try {
                loader.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (LoadedModel model : loaded()) {
            model.close();
        }
        synchronized (this) {
            models.clear();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stop after the web server has drained (graceful shutdown runs in a higher phase)
        return Integer.MIN_VALUE + 1000;
    }
}
