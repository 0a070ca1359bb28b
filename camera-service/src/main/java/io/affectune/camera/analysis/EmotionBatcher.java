package io.affectune.camera.analysis;

import io.affectune.camera.config.PipelineProperties;
import io.affectune.camera.emotion.EmotionClient;
import io.affectune.camera.emotion.EmotionPrediction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

/**
 * Puts the face crops of concurrent frames, from every session and /analyze, into shared batch calls to
 * emotion-service ({@link EmotionClient#classify}) and hands each frame its own predictions back. At most
 * {@code maxInFlight} calls run at once; crops arriving meanwhile wait and leave together, up to {@code maxFaces}
 * per call (a frame's crops are never split). With a free slot a frame leaves at once, or after {@code window}
 * when that is set, to wait for company. Fewer, larger calls cost less per face: one HTTP exchange and one
 * multipart parse instead of one per frame, and a larger ONNX Runtime batch in emotion-service.
 * A failed call degrades every frame in it, as a failed call of its own would. A shared call runs in the Reactor
 * context of the first frame in it, so it continues that frame's trace.
 *
 * <p>Two lanes, each with its own queue and {@code maxInFlight} calls: frames that wait for their faces' emotions
 * ({@link #classify}: /analyze, a stream frame with new faces) and the streams' label refreshes that no frame waits for
 * ({@link #refresh}), which emotion-service is told are less urgent (RFC 9218 {@code Priority}, {@link
 * EmotionClient#classify}) and runs behind the waiting ones. The two never share a call, so a frame that waits is
 * never held by background crops, neither here nor in emotion-service.
 */
@Component
public class EmotionBatcher {

    private final Lane interactive;
    private final Lane background;

    @Autowired
    public EmotionBatcher(EmotionClient client, PipelineProperties settings) {
        this(crops -> client.classify(crops, false), crops -> client.classify(crops, true), settings);
    }

    /** One batch call for both lanes, as in tests. */
    EmotionBatcher(
            Function<List<byte[]>, Mono<Optional<List<EmotionPrediction>>>> client, PipelineProperties settings) {
        this(client, client, settings);
    }

    /** {@code interactive}, {@code background}: the batch call of each lane, as {@link EmotionClient#classify} makes it. */
    EmotionBatcher(
            Function<List<byte[]>, Mono<Optional<List<EmotionPrediction>>>> interactive,
            Function<List<byte[]>, Mono<Optional<List<EmotionPrediction>>>> background,
            PipelineProperties settings) {
        int maxFaces = Math.max(1, settings.batchMaxFaces());
        int maxInFlight = Math.max(1, settings.batchMaxInFlight());
        Duration window = settings.batchWindow() == null ? Duration.ZERO : settings.batchWindow();
        this.interactive = new Lane(interactive, maxFaces, maxInFlight, window);
        this.background = new Lane(background, maxFaces, maxInFlight, window);
    }

    /**
     * Predictions in crop order for a frame that waits for them, or empty when emotion-service could not answer (as
     * {@link EmotionClient#classify}).
     */
    public Mono<Optional<List<EmotionPrediction>>> classify(List<byte[]> pngCrops) {
        return interactive.classify(pngCrops);
    }

    /** As {@link #classify}, for a label refresh that no frame waits for: the background lane. */
    public Mono<Optional<List<EmotionPrediction>>> refresh(List<byte[]> pngCrops) {
        return background.classify(pngCrops);
    }

    /** One lane's queue and calls in flight. */
    private static final class Lane {

        private final Function<List<byte[]>, Mono<Optional<List<EmotionPrediction>>>> client;
        private final int maxFaces;
        private final int maxInFlight;
        private final Duration window;
        private final Scheduler timer = Schedulers.parallel();
        private final Deque<Pending> queue = new ArrayDeque<>();
        private int inFlight;
        private boolean windowOpen;

        Lane(
                Function<List<byte[]>, Mono<Optional<List<EmotionPrediction>>>> client,
                int maxFaces,
                int maxInFlight,
                Duration window) {
            this.client = client;
            this.maxFaces = maxFaces;
            this.maxInFlight = maxInFlight;
            this.window = window;
        }

        Mono<Optional<List<EmotionPrediction>>> classify(List<byte[]> pngCrops) {
            if (pngCrops.isEmpty()) {
                return Mono.just(Optional.of(List.of()));
            }
            return Mono.deferContextual(context -> {
                Sinks.One<Optional<List<EmotionPrediction>>> answer = Sinks.one();
                synchronized (queue) {
                    queue.add(new Pending(pngCrops, answer, context));
                }
                dispatch(false);
                return answer.asMono();
            });
        }

        /** Sends what waits while a slot is free; {@code windowClosed}: the window timer fired. */
        private void dispatch(boolean windowClosed) {
            while (true) {
                List<Pending> batch;
                synchronized (queue) {
                    if (windowClosed) {
                        windowOpen = false;
                        windowClosed = false;
                    }
                    if (queue.isEmpty() || inFlight >= maxInFlight || windowOpen && queuedFaces() < maxFaces) {
                        return;
                    }
                    if (!window.isZero() && queuedFaces() < maxFaces && inFlight == 0) {
                        // nothing in flight whose answer would bring company: wait a little for it
                        windowOpen = true;
                        timer.schedule(() -> dispatch(true), window.toNanos(), TimeUnit.NANOSECONDS);
                        return;
                    }
                    batch = take();
                    inFlight++;
                }
                send(batch);
            }
        }

        private int queuedFaces() {
            int n = 0;
            for (Pending p : queue) {
                n += p.crops().size();
            }
            return n;
        }

        private List<Pending> take() {
            List<Pending> batch = new ArrayList<>();
            int faces = 0;
            while (!queue.isEmpty()
                    && (batch.isEmpty() || faces + queue.peek().crops().size() <= maxFaces)) {
                Pending next = queue.poll();
                faces += next.crops().size();
                batch.add(next);
            }
            return batch;
        }

        private void send(List<Pending> batch) {
            List<byte[]> crops = new ArrayList<>();
            batch.forEach(p -> crops.addAll(p.crops()));
            Mono<Optional<List<EmotionPrediction>>> call;
            try {
                call = client.apply(crops);
            } catch (RuntimeException e) {
                call = Mono.just(Optional.empty());
            }
            // a shared call continues the trace of the first frame in it (one parent per span)
            call.contextWrite(batch.get(0).context())
                    .onErrorReturn(Optional.empty())
                    .defaultIfEmpty(Optional.empty())
                    .doFinally(signal -> {
                        synchronized (queue) {
                            inFlight--;
                        }
                        dispatch(false);
                    })
                    .subscribe(answer -> split(batch, answer));
        }

        private static void split(List<Pending> batch, Optional<List<EmotionPrediction>> answer) {
            int offset = 0;
            for (Pending p : batch) {
                int n = p.crops().size();
                int from = offset;
                p.answer().tryEmitValue(answer.map(all -> List.copyOf(all.subList(from, from + n))));
                offset += n;
            }
        }
    }

    /** {@code context}: the frame's Reactor context, which carries its trace. */
    private record Pending(
            List<byte[]> crops, Sinks.One<Optional<List<EmotionPrediction>>> answer, ContextView context) {}
}
