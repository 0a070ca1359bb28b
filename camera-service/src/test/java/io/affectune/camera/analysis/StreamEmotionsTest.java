package io.affectune.camera.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.camera.emotion.EmotionPrediction;
import io.affectune.camera.vision.DetectedFace;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When a stream's frame waits for emotion-service and when it shows a recent answer: new faces always wait; the same
 * faces show the last answer, classified again beside the stream every classifyEvery frames (one call at a time), each
 * new answer observed by the mood smoothing exactly once; an old answer, other faces or a failed call make the next
 * frame wait again.
 */
class StreamEmotionsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final List<DetectedFace> ONE = List.of(face(100, 100, 200));
    private static final List<DetectedFace> ONE_MOVED = List.of(face(110, 105, 200));
    private static final List<DetectedFace> ELSEWHERE = List.of(face(400, 100, 200));
    private static final List<DetectedFace> TWO = List.of(face(100, 100, 200), face(400, 100, 150));

    private static DetectedFace face(double x, double y, double size) {
        return new DetectedFace(x, y, size, size, List.of(), 0.9);
    }

    private static Optional<List<EmotionPrediction>> answer(String... emotions) {
        return Optional.of(List.of(emotions).stream()
                .map(e -> new EmotionPrediction(e, 0.9, Map.of(e, 0.9)))
                .toList());
    }

    private static String shown(StreamEmotions.Plan plan) {
        return plan.shown().get(0).emotion();
    }

    @Test
    void newFacesWaitThenTheSameFacesShowTheAnswerAndAreClassifiedAgainInTheBackground() {
        StreamEmotions emotions = new StreamEmotions(2, true, 500 * MS);
        assertThat(emotions.plan(ONE, 0).waits()).isTrue();
        emotions.classified(ONE, answer("happy"), 0);

        // frame 2: the same face, not yet due: shows "happy", already observed by the frame that waited for it
        StreamEmotions.Plan second = emotions.plan(ONE, 100 * MS);
        assertThat(second.waits()).isFalse();
        assertThat(shown(second)).isEqualTo("happy");
        assertThat(second.observe()).isFalse();
        assertThat(second.refresh()).isFalse();
        assertThat(second.ageNanos()).isEqualTo(100 * MS);

        // frame 3 (the face moved a little, as a detection finds it again): due, classified beside the stream
        StreamEmotions.Plan third = emotions.plan(ONE_MOVED, 200 * MS);
        assertThat(third.waits()).isFalse();
        assertThat(third.refresh()).isTrue();

        // frames 4 and 5 while that call runs: no second call at once, even when due
        assertThat(emotions.plan(ONE, 300 * MS).refresh()).isFalse();
        assertThat(emotions.plan(ONE, 400 * MS).refresh()).isFalse();

        emotions.refreshed(ONE_MOVED, answer("surprise"), 200 * MS);
        StreamEmotions.Plan next = emotions.plan(ONE, 450 * MS);
        assertThat(shown(next)).isEqualTo("surprise");
        assertThat(next.observe())
                .as("a background answer is new to the mood smoothing")
                .isTrue();
        assertThat(next.ageNanos()).isEqualTo(250 * MS);
        assertThat(next.refresh())
                .as("due since frame 4, and no call is running now")
                .isTrue();
        assertThat(emotions.plan(ONE, 500 * MS).observe())
                .as("observed once only")
                .isFalse();
    }

    @Test
    void otherFacesAnOldAnswerOrAFailedCallMakeTheFrameWait() {
        StreamEmotions emotions = new StreamEmotions(2, true, 500 * MS);
        emotions.classified(ONE, answer("sad"), 0);
        assertThat(emotions.plan(ELSEWHERE, 10 * MS).waits())
                .as("a face somewhere else")
                .isTrue();
        assertThat(emotions.plan(TWO, 10 * MS).waits()).as("a second face").isTrue();
        assertThat(emotions.plan(List.of(), 10 * MS).waits()).as("no faces").isTrue();
        assertThat(emotions.plan(ONE, 501 * MS).waits())
                .as("older than reuse-max-age")
                .isTrue();

        emotions.classified(ONE, answer("sad"), 600 * MS);
        StreamEmotions.Plan refresh = emotions.plan(ONE, 650 * MS);
        refresh = refresh.refresh() ? refresh : emotions.plan(ONE, 700 * MS);
        assertThat(refresh.refresh()).isTrue();
        emotions.refreshed(ONE, Optional.empty(), 700 * MS);
        assertThat(emotions.plan(ONE, 750 * MS).waits())
                .as("emotion-service did not answer: the next frame asks, and is degraded if it is still away")
                .isTrue();
    }

    @Test
    void aLateBackgroundAnswerDoesNotReplaceANewerOne() {
        StreamEmotions emotions = new StreamEmotions(1, true, 500 * MS);
        emotions.classified(ONE, answer("angry"), 0);
        assertThat(emotions.plan(ONE, 100 * MS).refresh()).isTrue();
        // meanwhile a second face appeared: that frame waited for its own answer
        emotions.classified(TWO, answer("happy", "neutral"), 150 * MS);
        emotions.refreshed(ONE, answer("fear"), 100 * MS);
        StreamEmotions.Plan plan = emotions.plan(TWO, 200 * MS);
        assertThat(plan.waits()).isFalse();
        assertThat(plan.shown()).extracting(EmotionPrediction::emotion).containsExactly("happy", "neutral");
    }

    @Test
    void withoutBackgroundClassificationAFrameReusesOrWaitsEveryClassifyEveryFrames() {
        StreamEmotions emotions = new StreamEmotions(3, false, 500 * MS);
        emotions.classified(ONE, answer("neutral"), 0);
        StreamEmotions.Plan second = emotions.plan(ONE, 100 * MS);
        assertThat(shown(second)).isEqualTo("neutral");
        assertThat(second.observe()).isFalse();
        assertThat(second.refresh()).isFalse();
        assertThat(emotions.plan(ONE, 200 * MS).waits()).isFalse();
        assertThat(emotions.plan(ONE, 300 * MS).waits())
                .as("the third frame classifies again")
                .isTrue();
    }

    @Test
    void facesAreTheSameWhenTheirBoxesOverlapByHalf() {
        assertThat(StreamEmotions.iou(face(0, 0, 100), face(0, 0, 100))).isEqualTo(1.0);
        assertThat(StreamEmotions.iou(face(0, 0, 100), face(200, 0, 100))).isZero();
        assertThat(StreamEmotions.sameFaces(ONE, ONE_MOVED)).isTrue();
        assertThat(StreamEmotions.sameFaces(ONE, ELSEWHERE)).isFalse();
        assertThat(StreamEmotions.sameFaces(ONE, TWO)).isFalse();
        assertThat(StreamEmotions.sameFaces(null, ONE)).isFalse();
    }
}
