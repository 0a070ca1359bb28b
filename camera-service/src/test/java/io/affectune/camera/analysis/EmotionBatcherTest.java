package io.affectune.camera.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.camera.config.PipelineProperties;
import io.affectune.camera.emotion.EmotionPrediction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Frames arriving while an emotion-service call is in flight leave together in the next call, and every frame gets
 * exactly its own faces' answers back, in order; a failed call degrades the frames in it and no others.
 */
class EmotionBatcherTest {

    /** Stands in for the batch call: records each call's crops and answers when the test says so. */
    private final List<List<byte[]>> calls = new CopyOnWriteArrayList<>();

    private final List<Sinks.One<Optional<List<EmotionPrediction>>>> answers = new CopyOnWriteArrayList<>();

    private Mono<Optional<List<EmotionPrediction>>> call(List<byte[]> crops) {
        calls.add(crops);
        Sinks.One<Optional<List<EmotionPrediction>>> answer = Sinks.one();
        answers.add(answer);
        return answer.asMono();
    }

    /** A crop whose first byte names it; the "prediction" for it carries that name as its emotion. */
    private static byte[] crop(int name) {
        return new byte[] {(byte) name};
    }

    private static Optional<List<EmotionPrediction>> answerFor(List<byte[]> crops) {
        List<EmotionPrediction> out = new ArrayList<>();
        crops.forEach(c -> out.add(new EmotionPrediction("face" + c[0], 1.0, Map.of())));
        return Optional.of(out);
    }

    private static List<String> emotions(Optional<List<EmotionPrediction>> answer) {
        return answer.orElseThrow().stream().map(EmotionPrediction::emotion).toList();
    }

    @Test
    void framesWaitingForAFreeCallShareTheNextOneAndGetTheirOwnAnswers() {
        EmotionBatcher batcher = new EmotionBatcher(
                this::call, new PipelineProperties(5, 12, 16, 1, Duration.ZERO, 1, false, Duration.ofMillis(500)));

        Mono<Optional<List<EmotionPrediction>>> first =
                batcher.classify(List.of(crop(1))).cache();
        first.subscribe();
        assertThat(calls).hasSize(1);

        Mono<Optional<List<EmotionPrediction>>> a =
                batcher.classify(List.of(crop(2))).cache();
        Mono<Optional<List<EmotionPrediction>>> b =
                batcher.classify(List.of(crop(3), crop(4))).cache();
        Mono<Optional<List<EmotionPrediction>>> c =
                batcher.classify(List.of(crop(5))).cache();
        a.subscribe();
        b.subscribe();
        c.subscribe();
        assertThat(calls).as("one call at a time: the others wait").hasSize(1);

        answers.get(0).tryEmitValue(answerFor(calls.get(0)));
        assertThat(emotions(first.block())).containsExactly("face1");
        assertThat(calls).as("the three waiting frames leave in one call").hasSize(2);
        assertThat(calls.get(1)).hasSize(4);

        answers.get(1).tryEmitValue(answerFor(calls.get(1)));
        assertThat(emotions(a.block())).containsExactly("face2");
        assertThat(emotions(b.block())).containsExactly("face3", "face4");
        assertThat(emotions(c.block())).containsExactly("face5");
    }

    @Test
    void aCallCarriesAtMostMaxFacesAndNeverSplitsAFrame() {
        EmotionBatcher batcher = new EmotionBatcher(
                this::call, new PipelineProperties(5, 12, 3, 1, Duration.ZERO, 1, false, Duration.ofMillis(500)));
        batcher.classify(List.of(crop(1))).subscribe();
        batcher.classify(List.of(crop(2), crop(3))).subscribe();
        batcher.classify(List.of(crop(4), crop(5))).subscribe();

        answers.get(0).tryEmitValue(answerFor(calls.get(0)));
        assertThat(calls.get(1)).as("2 + 2 faces would pass the limit of 3").hasSize(2);
        answers.get(1).tryEmitValue(answerFor(calls.get(1)));
        assertThat(calls.get(2)).hasSize(2);
    }

    @Test
    void aFailedCallDegradesOnlyTheFramesInIt() {
        EmotionBatcher batcher = new EmotionBatcher(
                this::call, new PipelineProperties(5, 12, 16, 1, Duration.ZERO, 1, false, Duration.ofMillis(500)));
        Mono<Optional<List<EmotionPrediction>>> failed =
                batcher.classify(List.of(crop(1))).cache();
        failed.subscribe();
        Mono<Optional<List<EmotionPrediction>>> next =
                batcher.classify(List.of(crop(2))).cache();
        next.subscribe();

        answers.get(0).tryEmitError(new IllegalStateException("emotion-service gone"));
        assertThat(failed.block()).isEmpty();
        answers.get(1).tryEmitValue(answerFor(calls.get(1)));
        assertThat(emotions(next.block())).containsExactly("face2");
    }

    @Test
    void framesWithoutFacesNeverCallEmotionService() {
        EmotionBatcher batcher = new EmotionBatcher(
                this::call, new PipelineProperties(5, 12, 16, 1, Duration.ZERO, 1, false, Duration.ofMillis(500)));
        assertThat(batcher.classify(List.of()).block()).contains(List.of());
        assertThat(calls).isEmpty();
    }

    @Test
    void refreshesNeverShareACallWithFramesThatWaitNorTakeTheirSlots() {
        List<List<byte[]>> refreshes = new CopyOnWriteArrayList<>();
        List<Sinks.One<Optional<List<EmotionPrediction>>>> refreshAnswers = new CopyOnWriteArrayList<>();
        EmotionBatcher batcher = new EmotionBatcher(
                this::call,
                crops -> {
                    refreshes.add(crops);
                    Sinks.One<Optional<List<EmotionPrediction>>> answer = Sinks.one();
                    refreshAnswers.add(answer);
                    return answer.asMono();
                },
                new PipelineProperties(5, 12, 16, 1, Duration.ZERO, 1, false, Duration.ofMillis(500)));

        batcher.refresh(List.of(crop(1))).subscribe();
        batcher.refresh(List.of(crop(2))).subscribe();
        Mono<Optional<List<EmotionPrediction>>> waiting =
                batcher.classify(List.of(crop(3))).cache();
        waiting.subscribe();

        assertThat(refreshes)
                .as("one refresh call in flight, the second refresh waits for it")
                .hasSize(1);
        assertThat(calls)
                .as("a frame that waits does not wait behind refreshes")
                .hasSize(1);
        assertThat(calls.get(0)).hasSize(1);
        answers.get(0).tryEmitValue(answerFor(calls.get(0)));
        assertThat(emotions(waiting.block())).containsExactly("face3");

        refreshAnswers.get(0).tryEmitValue(answerFor(refreshes.get(0)));
        assertThat(refreshes).hasSize(2);
        assertThat(refreshes.get(1).get(0)[0]).isEqualTo((byte) 2);
    }
}
