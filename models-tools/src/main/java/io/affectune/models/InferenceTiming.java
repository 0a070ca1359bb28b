package io.affectune.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Raw ONNX Runtime timing of one batch size: what latency-bench prints and what the service
 * benchmarks compare their HTTP figures with.
 *
 * @param p50Millis      median time of one run of the whole batch
 * @param p95Millis      95th percentile (nearest rank)
 * @param meanMillis     mean time of one run
 * @param facesPerSecond batch size over the mean time
 */
public record InferenceTiming(double p50Millis, double p95Millis, double meanMillis, double facesPerSecond) {

    /**
     * Times {@code iterations} runs of one batch of random inputs (uniform in [-1, 1)), after
     * {@code warmup} runs that are not timed. A face costs {@code passesPerFace} rows of the run (2 for a model
     * whose manifest asks for flip TTA: the face and its mirror in one run, as a lone worker runs them).
     */
    public static InferenceTiming measure(
            OnnxClassifier classifier,
            int valuesPerImage,
            int batch,
            int passesPerFace,
            int warmup,
            int iterations,
            Random random) {
        List<float[]> inputs = new ArrayList<>(batch * passesPerFace);
        for (int b = 0; b < batch * passesPerFace; b++) {
            float[] image = new float[valuesPerImage];
            for (int i = 0; i < image.length; i++) {
                image[i] = random.nextFloat() * 2 - 1;
            }
            inputs.add(image);
        }
        for (int i = 0; i < warmup; i++) {
            classifier.classify(inputs);
        }
        double[] millis = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            classifier.classify(inputs);
            millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        double mean = Arrays.stream(millis).average().orElse(0);
        Arrays.sort(millis);
        return new InferenceTiming(nearestRank(millis, 50), nearestRank(millis, 95), mean, batch * 1000.0 / mean);
    }

    private static double nearestRank(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
