package io.affectune.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    @Test
    void metricsMatchAHandComputedConfusionMatrix() {
        ClassificationMetrics metrics = new ClassificationMetrics(List.of("a", "b"));
        metrics.add(0, 0);
        metrics.add(0, 1);
        metrics.add(1, 1);
        metrics.add(1, 1);
        assertThat(metrics.accuracy()).isEqualTo(0.75);
        assertThat(metrics.recall(0)).isEqualTo(0.5);
        assertThat(metrics.precision(1)).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(metrics.macroRecall()).isEqualTo(0.75);
        assertThat(metrics.toManifestMetrics("x").confusionMatrix()).isEqualTo(new int[][] {{1, 1}, {0, 2}});
    }
}
