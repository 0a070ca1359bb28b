package io.affectune.emotion.prediction;

import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.LoadedModel;
import io.affectune.emotion.model.MicroBatcher;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.emotion.problem.InputProblem;
import io.affectune.emotion.problem.ModelUnavailableException;
import io.affectune.models.OnnxClassifier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Decodes and preprocesses images on a small decode pool, then hands the tensors to the model's
 * micro-batcher; the event loop never decodes or runs the network.
 */
@Service
public class PredictionService implements DisposableBean {

    private final ModelRegistry registry;
    private final ImageDecoder decoder;
    private final Scheduler decodeScheduler;
    private final long inlineDecodeMaxPixels;

    public PredictionService(ModelRegistry registry, EmotionProperties properties) {
        this.registry = registry;
        this.decoder = new ImageDecoder(properties.maxImagePixels());
        this.decodeScheduler = Schedulers.newParallel("image-decode", properties.effectiveDecodeThreads());
        this.inlineDecodeMaxPixels = properties.inlineDecodeMaxPixels();
    }

    /** The model a request asked for (or the default); 404 for an unknown id, 503 while loading. */
    public LoadedModel model(String id) {
        return registry.find(id).orElseThrow(() -> {
            if (registry.state() != ModelRegistry.State.READY) {
                return new ModelUnavailableException(registry.problem() == null
                        ? "the models are still loading; retry shortly" : registry.problem());
            }
            return new InputProblem(HttpStatus.NOT_FOUND, "Unknown model", "no model '" + id + "' is loaded; loaded: "
                    + registry.loaded().stream().map(LoadedModel::id).toList() + " (see GET /api/v1/models)");
        });
    }

    public Mono<Prediction> predict(LoadedModel model, byte[] image) {
        MicroBatcher batcher = model.batcher();
        Mono<CompletableFuture<float[]>> submitted = Mono.fromCallable(() -> {
                    batcher.preparing();
                    float[] tensor;
                    try {
                        tensor = model.preprocessor().preprocess(decoder.decode(image));
                    } catch (RuntimeException e) {
                        batcher.preparationEnded();
                        throw e;
                    }
                    return batcher.submitPrepared(tensor);
                });
        // A face crop decodes in well under a millisecond: doing it on the event loop saves a thread
        // hop. Anything bigger (or unknown) is decoded on the decode pool so the event loop never stalls.
        long pixels = decoder.pixelsFromHeader(image);
        if (pixels <= 0 || pixels > inlineDecodeMaxPixels) {
            submitted = submitted.subscribeOn(decodeScheduler);
        }
        return submitted
                .flatMap(Mono::fromFuture)
                .map(probabilities -> toPrediction(model, probabilities));
    }

    /** All parts are decoded first, so that one bad part refuses the request before any inference. */
    public Mono<List<Prediction>> predictAll(LoadedModel model, List<ImagePart> parts) {
        if (parts.isEmpty()) {
            return Mono.error(new InputProblem(HttpStatus.BAD_REQUEST, "No images",
                    "the request holds no parts; send one part named 'image' per image"));
        }
        MicroBatcher batcher = model.batcher();
        return Flux.fromIterable(parts)
                .flatMapSequential(part -> Mono.fromCallable(() -> {
                    batcher.preparing();
                    try {
                        return tensorOf(model, part);
                    } finally {
                        batcher.preparationEnded();
                    }
                }).subscribeOn(decodeScheduler))
                .collectList()
                .flatMap(tensors -> {
                    List<CompletableFuture<float[]>> futures = batcher.submitAll(tensors);
                    return Flux.fromIterable(futures).concatMap(Mono::fromFuture)
                            .map(probabilities -> toPrediction(model, probabilities))
                            .collectList();
                });
    }

    private float[] tensorOf(LoadedModel model, ImagePart part) {
        try {
            if (!"image".equals(part.name())) {
                throw new InputProblem(HttpStatus.BAD_REQUEST, "Unexpected part",
                        "the part is named '" + part.name() + "'; every part must be named 'image'");
            }
            ImageDecoder.checkDeclaredType(part.contentType());
            return model.preprocessor().preprocess(decoder.decode(part.bytes()));
        } catch (InputProblem problem) {
            throw problem.inPart(part.index(), part.filename());
        }
    }

    private static Prediction toPrediction(LoadedModel model, float[] probabilities) {
        List<String> labels = model.descriptor().manifest().labels();
        Map<String, Float> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            byLabel.put(labels.get(i), probabilities[i]);
        }
        int best = OnnxClassifier.argmax(probabilities);
        return new Prediction(labels.get(best), probabilities[best], byLabel,
                new Prediction.ModelRef(model.id(), model.version()));
    }

    @Override
    public void destroy() {
        decodeScheduler.dispose();
    }
}
