package io.affectune.emotion.prediction;

import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.LoadedModel;
import io.affectune.emotion.model.MicroBatcher;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.emotion.model.ModelUnavailableException;
import io.affectune.models.OnnxClassifier;
import io.affectune.support.image.AdmittedImage;
import io.affectune.support.image.DeclaredImageType;
import io.affectune.support.image.ImageAdmission;
import io.affectune.support.image.ImageIoDecoder;
import io.affectune.support.problem.ApiProblem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Decodes and preprocesses images on a small decode pool, then hands the tensors to the model's
 * micro-batcher; the event loop never decodes or runs the network.
 */
@Service
public class PredictionService implements DisposableBean {

    private final ModelRegistry registry;
    private final ImageAdmission admission;
    private final Scheduler decodeScheduler;
    private final long inlineDecodeMaxPixels;

    public PredictionService(ModelRegistry registry, EmotionProperties properties) {
        this.registry = registry;
        this.admission = new ImageAdmission(
                properties.maxImagePixels(), properties.progressiveWeight(), "EMOTION_MAX_IMAGE_PIXELS");
        this.decodeScheduler = Schedulers.newParallel("image-decode", properties.effectiveDecodeThreads());
        this.inlineDecodeMaxPixels = properties.inlineDecodeMaxPixels();
    }

    /** The model a request asked for (or the default); 404 for an unknown id, 503 while loading. */
    public LoadedModel model(String id) {
        return registry.find(id).orElseThrow(() -> {
            if (registry.state() != ModelRegistry.State.READY) {
                return new ModelUnavailableException(
                        registry.problem() == null
                                ? "the models are still loading; retry shortly"
                                : registry.problem());
            }
            return new ApiProblem(
                    HttpStatus.NOT_FOUND,
                    "Unknown model",
                    "No model '" + id + "' is loaded; loaded: "
                            + registry.loaded().stream().map(LoadedModel::id).toList() + " (see GET /api/v1/models)");
        });
    }

    /**
     * @param budget how long the image may wait for inference (the request's queueing deadline): refused at
     *               once, before decoding, when the queue ahead is longer than that
     * @param lane   interactive, or background when the caller said nobody waits for the answer
     */
    public Mono<Prediction> predict(LoadedModel model, byte[] bytes, Duration budget, MicroBatcher.Lane lane) {
        MicroBatcher batcher = model.batcher(lane);
        AdmittedImage image;
        long deadline;
        try {
            image = admission.admit(bytes);
            deadline = batcher.admit(budget);
        } catch (RuntimeException refused) {
            return Mono.error(refused);
        }
        Mono<CompletableFuture<float[]>> submitted = Mono.fromCallable(() -> {
            batcher.preparing();
            float[] tensor;
            try {
                tensor = model.preprocessor().preprocess(ImageIoDecoder.decode(image));
            } catch (RuntimeException e) {
                batcher.preparationEnded();
                throw e;
            }
            return batcher.submitPrepared(tensor, deadline);
        });
        // A face crop decodes in well under a millisecond: doing it on the event loop saves a thread
        // hop. Anything bigger is decoded on the decode pool so the event loop never stalls.
        if (image.progressive() || image.pixels() > inlineDecodeMaxPixels) {
            submitted = submitted.subscribeOn(decodeScheduler);
        }
        return submitted.flatMap(Mono::fromFuture).map(probabilities -> toPrediction(model, probabilities));
    }

    /** All parts are decoded first, so that one bad part refuses the request before any inference. */
    public Mono<List<Prediction>> predictAll(
            LoadedModel model, List<ImagePart> parts, Duration budget, MicroBatcher.Lane lane) {
        if (parts.isEmpty()) {
            return Mono.error(new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "No images",
                    "The request holds no parts; send one part named 'image' per image"));
        }
        MicroBatcher batcher = model.batcher(lane);
        long deadline;
        try {
            deadline = batcher.admit(budget);
        } catch (RuntimeException refused) {
            return Mono.error(refused);
        }
        // Parts are decoded in parallel; each one's failure is kept with it, so that the answer names the
        // first bad part whatever the order they failed in (not a composite of two concurrent failures).
        return Flux.fromIterable(parts)
                .flatMapSequential(part -> Mono.fromCallable(() -> {
                            batcher.preparing();
                            try {
                                return Prepared.of(() -> tensorOf(model, part));
                            } finally {
                                batcher.preparationEnded();
                            }
                        })
                        .subscribeOn(decodeScheduler))
                .collectList()
                .flatMap(prepared -> {
                    for (Prepared p : prepared) {
                        if (p.failure() != null) {
                            return Mono.error(p.failure());
                        }
                    }
                    List<float[]> tensors =
                            prepared.stream().map(Prepared::tensor).toList();
                    List<CompletableFuture<float[]>> futures = batcher.submitAll(tensors, deadline);
                    return Flux.fromIterable(futures)
                            .concatMap(Mono::fromFuture)
                            .map(probabilities -> toPrediction(model, probabilities))
                            .collectList();
                });
    }

    private float[] tensorOf(LoadedModel model, ImagePart part) {
        try {
            if (!"image".equals(part.name())) {
                throw new ApiProblem(
                        HttpStatus.BAD_REQUEST,
                        "Unexpected part",
                        "The part is named '" + part.name() + "'; every part must be named 'image'");
            }
            DeclaredImageType.require(part.contentType(), false);
            return model.preprocessor().preprocess(ImageIoDecoder.decode(admission.admit(part.bytes())));
        } catch (ApiProblem problem) {
            throw inPart(problem, part.index(), part.filename());
        }
    }

    /** The same problem, attributed to part {@code index} (1-based) of a batch request. */
    static ApiProblem inPart(ApiProblem problem, int index, String filename) {
        String where = "part " + index + (filename == null || filename.isBlank() ? "" : " (" + filename + ")");
        return problem.detail(where + ": " + problem.getMessage()).with("part", index);
    }

    private static Prediction toPrediction(LoadedModel model, float[] probabilities) {
        List<String> labels = model.descriptor().manifest().labels();
        Map<String, Float> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            byLabel.put(labels.get(i), probabilities[i]);
        }
        int best = OnnxClassifier.argmax(probabilities);
        return new Prediction(
                labels.get(best), probabilities[best], byLabel, new Prediction.ModelRef(model.id(), model.version()));
    }

    @Override
    public void destroy() {
        decodeScheduler.dispose();
    }

    /** One part of a batch after decoding: its tensor, or why it has none. */
    private record Prepared(float[] tensor, RuntimeException failure) {
        static Prepared of(Supplier<float[]> decode) {
            try {
                return new Prepared(decode.get(), null);
            } catch (RuntimeException e) {
                return new Prepared(null, e);
            }
        }
    }
}
