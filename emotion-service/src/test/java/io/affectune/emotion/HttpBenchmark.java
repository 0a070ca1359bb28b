package io.affectune.emotion;

import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import io.affectune.testsupport.ServiceProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run prints: raw ONNX Runtime latency at batch 1 and 8, HTTP single-image latency at
 * concurrency 1, and HTTP throughput at concurrency 16, against the packaged jar, with the targets.
 * Run with emotion-service/scripts/benchmark.sh.
 */
@Tag("benchmark")
class HttpBenchmark {

    private static final String REPORT = "benchmark-report.txt";

    @Test
    void benchmark() throws Exception {
        TestFaces.requireRealModel();
        LoadClient.startReport(REPORT);
        int iterations = Integer.getInteger("bench.iterations", 300);
        int throughputSeconds = Integer.getInteger("bench.seconds", 30);
        ModelDescriptor model = ModelDirectory.load(TestFaces.MODEL_DIR);
        int cores = Runtime.getRuntime().availableProcessors();
        LoadClient.report(REPORT, String.format("model %s %s, %s, %d cores", model.id(), model.manifest().version(),
                model.manifest().input().channels() + "x" + model.manifest().input().height() + "x"
                        + model.manifest().input().width(), cores));

        // Raw ONNX Runtime figures are taken before and after the HTTP runs (the machine is shared and
        // its load drifts); the targets use the faster of the two, which makes them stricter.
        double[][] rawBefore = raw(model, iterations, "before HTTP");
        List<byte[]> faces = TestFaces.faces().stream().map(TestFaces.Face::png).toList();
        try (ServiceProcess service = ServiceProcess.start("emotion-service", Map.of(), List.of("-Xmx1g"))) {
            LoadClient client = new LoadClient(service.baseUrl());
            for (int i = 0; i < 50; i++) {
                check(client.predict(faces.get(i % faces.size()), "image/png"));
            }
            double[] http = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                check(client.predict(faces.get(i % faces.size()), "image/png"));
                http[i] = (System.nanoTime() - t0) / 1e6;
            }
            double httpP50 = LoadClient.percentile(http, 50);
            LoadClient.report(REPORT, String.format("HTTP single image, concurrency 1: p50 %.2f ms  p95 %.2f ms",
                    httpP50, LoadClient.percentile(http, 95)));

            double throughput = throughput(client, faces, 16, throughputSeconds);
            LoadClient.report(REPORT, String.format("HTTP throughput, concurrency 16, %d s: %.1f faces/s",
                    throughputSeconds, throughput));

            double[][] rawAfter = raw(model, iterations, "after HTTP");
            double raw1p50 = Math.min(rawBefore[0][0], rawAfter[0][0]);
            double raw8Throughput = Math.max(rawBefore[1][1], rawAfter[1][1]);
            double latencyTarget = 1.3 * raw1p50 + 2;
            double throughputTarget = 0.8 * raw8Throughput;
            LoadClient.report(REPORT, String.format("target HTTP p50 <= 1.3 x raw batch-1 p50 + 2 ms = %.2f ms: %s (%.2f ms)",
                    latencyTarget, httpP50 <= latencyTarget ? "MET" : "MISSED", httpP50));
            LoadClient.report(REPORT, String.format("target throughput >= 0.8 x raw batch-8 = %.1f faces/s: %s (%.1f faces/s)",
                    throughputTarget, throughput >= throughputTarget ? "MET" : "MISSED", throughput));
            String metrics = client.get("/actuator/prometheus").body();
            metrics.lines().filter(l -> l.startsWith("emotion_inference_batch_size_count")
                            || l.startsWith("emotion_inference_batch_size_sum")
                            || l.startsWith("emotion_requests_rejected_total"))
                    .forEach(l -> LoadClient.report(REPORT, "service metric: " + l));
        }
    }

    /** {{batch-1 p50 ms, batch-1 faces/s}, {batch-8 p50 ms, batch-8 faces/s}}, reported as they are measured. */
    private static double[][] raw(ModelDescriptor model, int iterations, String when) {
        double[][] out = new double[2][];
        try (OnnxClassifier classifier = new OnnxClassifier(model, 0)) {
            int[] batches = {1, 8};
            for (int b = 0; b < 2; b++) {
                double[] millis = rawLatencies(classifier, model, batches[b], iterations);
                double mean = java.util.Arrays.stream(millis).average().orElseThrow();
                double p50 = LoadClient.percentile(millis, 50);
                double facesPerSecond = batches[b] * 1000.0 / mean;
                LoadClient.report(REPORT, String.format("raw ORT  batch %d (%s): p50 %.2f ms  p95 %.2f ms  mean %.2f ms  %.1f faces/s",
                        batches[b], when, p50, LoadClient.percentile(millis, 95), mean, facesPerSecond));
                out[b] = new double[] {p50, facesPerSecond};
            }
        }
        return out;
    }

    private static double[] rawLatencies(OnnxClassifier classifier, ModelDescriptor model, int batch, int iterations) {
        var input = model.manifest().input();
        Random random = new Random(7);
        List<float[]> images = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] image = new float[input.channels() * input.height() * input.width()];
            for (int i = 0; i < image.length; i++) {
                image[i] = random.nextFloat() * 2 - 1;
            }
            images.add(image);
        }
        for (int i = 0; i < 30; i++) {
            classifier.classify(images);
        }
        double[] millis = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            classifier.classify(images);
            millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        return millis;
    }

    private static double throughput(LoadClient client, List<byte[]> faces, int concurrency, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            // warm-up at full concurrency
            runFor(pool, client, faces, concurrency, 3_000);
            AtomicInteger done = new AtomicInteger();
            long t0 = System.nanoTime();
            done.addAndGet(runFor(pool, client, faces, concurrency, seconds * 1000L));
            return done.get() / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static int runFor(ExecutorService pool, LoadClient client, List<byte[]> faces, int concurrency, long millis)
            throws Exception {
        long end = System.nanoTime() + millis * 1_000_000L;
        List<Future<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int offset = w;
            workers.add(pool.submit(() -> {
                int count = 0;
                while (System.nanoTime() < end) {
                    check(client.predict(faces.get((offset + count) % faces.size()), "image/png"));
                    count++;
                }
                return count;
            }));
        }
        int total = 0;
        for (Future<Integer> worker : workers) {
            total += worker.get();
        }
        return total;
    }

    static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
    }
}
