package io.affectune.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * Resident-memory samples of a service under a soak, and the growth after its warm-up: what the
 * native-memory soaks judge (a leak of OpenCV Mats or ONNX tensors shows only there).
 */
public final class ResidentMemoryLog {

    /** Resident memory after the warm-up, at the end and at its peak (KiB), and the growth in percent. */
    public record Growth(long afterWarmupKib, long lastKib, long peakKib, double percent) {}

    private final ServiceProcess service;
    private final long warmupMillis;
    private final List<long[]> samples = new ArrayList<>();

    public ResidentMemoryLog(ServiceProcess service, long warmupMillis) {
        this.service = service;
        this.warmupMillis = warmupMillis;
    }

    /** Reads and records the service's resident memory at {@code elapsedMillis} into the soak; returns it in KiB. */
    public long sample(long elapsedMillis) {
        long rss = service.residentKib();
        samples.add(new long[] {elapsedMillis, rss});
        return rss;
    }

    /** Told of each sample that {@link #sampleFor} takes. */
    @FunctionalInterface
    public interface SampleListener {
        void sampled(long elapsedMillis, long residentKib);
    }

    /**
     * Samples now and then every {@code everyMillis} until {@code durationMillis} have passed,
     * telling {@code listener} of each sample (the soak prints it with its request count).
     */
    public void sampleFor(long durationMillis, long everyMillis, SampleListener listener) throws InterruptedException {
        long start = System.currentTimeMillis();
        while (System.currentTimeMillis() - start < durationMillis) {
            long elapsed = System.currentTimeMillis() - start;
            listener.sampled(elapsed, sample(elapsed));
            Thread.sleep(everyMillis);
        }
    }

    public Growth growth() {
        List<long[]> settled =
                samples.stream().filter(s -> s[0] >= warmupMillis).toList();
        if (settled.isEmpty()) {
            throw new IllegalStateException("no sample after the warm-up of " + warmupMillis + " ms");
        }
        long afterWarmup = settled.get(0)[1];
        long last = samples.get(samples.size() - 1)[1];
        long peak = settled.stream().mapToLong(s -> s[1]).max().orElseThrow();
        return new Growth(afterWarmup, last, peak, (last - afterWarmup) * 100.0 / afterWarmup);
    }
}
