package io.affectune.bench.emotion;

import io.affectune.emotion.TestFaces;
import io.affectune.models.InferenceTiming;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import io.affectune.testsupport.KeepAliveConnection;
import io.affectune.testsupport.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One run prints: raw ONNX Runtime latency at batch 1 and 8, HTTP single-image latency at
 * concurrency 1, and HTTP throughput at concurrency 16, against the packaged jar, with the targets.
 * HTTP figures are taken with {@link KeepAliveConnection} (a wrk-style client that costs the shared
 * cores little) after a warm-up at full load; the JDK HttpClient's figure is printed beside them.
 * Run with emotion-service/scripts/benchmark.sh.
 */
public final class HttpBenchmark {

    private static final String REPORT = "benchmark-report.txt";

    public static void main(String[] args) {
        ToolMain.run(HttpBenchmark::benchmark);
    }

    private static void benchmark() throws Exception {
        TestFaces.requireRealModel();
        LoadClient.startReport(REPORT);
        int iterations = Integer.getInteger("bench.iterations", 300);
        int throughputSeconds = Integer.getInteger("bench.seconds", 30);
        int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 40);
        ModelDescriptor model = ModelDirectory.load(TestFaces.MODEL_DIR);
        int cores = Runtime.getRuntime().availableProcessors();
        LoadClient.report(
                REPORT,
                String.format(
                        "model %s %s, %s, %d cores",
                        model.id(),
                        model.manifest().version(),
                        model.manifest().input().channels() + "x"
                                + model.manifest().input().height() + "x"
                                + model.manifest().input().width(),
                        cores));

        // Raw ONNX Runtime figures are taken before and after the HTTP runs (the machine is shared and
        // its load drifts); the targets use the faster of the two, which makes them stricter.
        double[][] rawBefore = raw(model, iterations, "before HTTP");
        List<byte[]> faces = TestFaces.faces().stream().map(TestFaces.Face::png).toList();
        try (ServiceProcess service = ServiceProcess.start("emotion-service", Map.of(), List.of("-Xmx1g"))) {
            String url = service.baseUrl();
            LoadClient client = new LoadClient(url);
            for (int i = 0; i < 50; i++) {
                check(client.predict(faces.get(i % faces.size()), "image/png"));
            }
            // The JIT needs far more than a few seconds to compile the request path when the load
            // itself takes both cores; figures before that measure the compiler, not the service.
            double warmUp = throughput(() -> keepAlive(url), faces, 16, warmupSeconds);
            LoadClient.report(
                    REPORT,
                    String.format(
                            "warm-up, concurrency 16, %d s: %.1f faces/s (not a target figure)",
                            warmupSeconds, warmUp));

            double[] http = latencies(keepAlive(url), faces, iterations, iterations);
            double httpP50 = LoadClient.percentile(http, 50);
            LoadClient.report(
                    REPORT,
                    String.format(
                            "HTTP single image, concurrency 1: p50 %.2f ms  p95 %.2f ms",
                            httpP50, LoadClient.percentile(http, 95)));
            FaceSender jdkSender = png -> check(client.predict(png, "image/png"));
            double[] jdkClient = latencies(jdkSender, faces, 0, iterations);
            LoadClient.report(
                    REPORT,
                    String.format(
                            "  the same through the JDK HttpClient (its own cost included): "
                                    + "p50 %.2f ms  p95 %.2f ms",
                            LoadClient.percentile(jdkClient, 50), LoadClient.percentile(jdkClient, 95)));

            double[] batchesBefore = batchSizeSumAndCount(client);
            double throughput = throughput(() -> keepAlive(url), faces, 16, throughputSeconds);
            double[] batchesAfter = batchSizeSumAndCount(client);
            LoadClient.report(
                    REPORT,
                    String.format(
                            "HTTP throughput, concurrency 16, %d s: %.1f faces/s, mean ONNX batch %.1f",
                            throughputSeconds,
                            throughput,
                            (batchesAfter[0] - batchesBefore[0]) / Math.max(1, batchesAfter[1] - batchesBefore[1])));
            int referenceSeconds = Math.max(5, throughputSeconds / 3);
            LoadClient.report(
                    REPORT,
                    String.format(
                            "  the same through the JDK HttpClient (its own cost included), %d s: " + "%.1f faces/s",
                            referenceSeconds, throughput(() -> jdkSender, faces, 16, referenceSeconds)));

            double[][] rawAfter = raw(model, iterations, "after HTTP");
            double raw1p50 = Math.min(rawBefore[0][0], rawAfter[0][0]);
            double raw8Throughput = Math.max(rawBefore[1][1], rawAfter[1][1]);
            double latencyTarget = 1.3 * raw1p50 + 2;
            double throughputTarget = 0.8 * raw8Throughput;
            LoadClient.report(
                    REPORT,
                    String.format(
                            "target HTTP p50 <= 1.3 x raw batch-1 p50 + 2 ms = %.2f ms: %s (%.2f ms)",
                            latencyTarget, httpP50 <= latencyTarget ? "MET" : "MISSED", httpP50));
            LoadClient.report(
                    REPORT,
                    String.format(
                            "target throughput >= 0.8 x raw batch-8 = %.1f faces/s: %s (%.1f faces/s)",
                            throughputTarget, throughput >= throughputTarget ? "MET" : "MISSED", throughput));
            String metrics = client.get("/actuator/prometheus").body();
            metrics.lines()
                    .filter(l -> l.startsWith("emotion_inference_batch_size_count")
                            || l.startsWith("emotion_inference_batch_size_sum")
                            || l.startsWith("emotion_requests_rejected_total"))
                    .forEach(l -> LoadClient.report(REPORT, "service metric: " + l));
        }
    }

    /** {sum, count} of the service's emotion_inference_batch_size summary. */
    private static double[] batchSizeSumAndCount(LoadClient client) {
        double[] sumAndCount = new double[2];
        client.get("/actuator/prometheus").body().lines().forEach(line -> {
            if (line.startsWith("emotion_inference_batch_size_sum")) {
                sumAndCount[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("emotion_inference_batch_size_count")) {
                sumAndCount[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        });
        return sumAndCount;
    }

    /** {{batch-1 p50 ms, batch-1 faces/s}, {batch-8 p50 ms, batch-8 faces/s}}, reported as they are measured. */
    private static double[][] raw(ModelDescriptor model, int iterations, String when) {
        var input = model.manifest().input();
        double[][] out = new double[2][];
        try (OnnxClassifier classifier = new OnnxClassifier(model, 0)) {
            int[] batches = {1, 8};
            for (int b = 0; b < 2; b++) {
                InferenceTiming timing = InferenceTiming.measure(
                        classifier,
                        input.channels() * input.height() * input.width(),
                        batches[b],
                        model.manifest().passesPerFace(),
                        30,
                        iterations,
                        new Random(7));
                LoadClient.report(
                        REPORT,
                        String.format(
                                "raw ORT  batch %d (%s): p50 %.2f ms  p95 %.2f ms  mean %.2f ms  %.1f faces/s",
                                batches[b],
                                when,
                                timing.p50Millis(),
                                timing.p95Millis(),
                                timing.meanMillis(),
                                timing.facesPerSecond()));
                out[b] = new double[] {timing.p50Millis(), timing.facesPerSecond()};
            }
        }
        return out;
    }

    /** Single-image latencies in ms, one request after another, after {@code warmup} unmeasured requests. */
    private static double[] latencies(FaceSender sender, List<byte[]> faces, int warmup, int iterations)
            throws Exception {
        try (sender) {
            for (int i = 0; i < warmup; i++) {
                sender.send(faces.get(i % faces.size()));
            }
            double[] millis = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                sender.send(faces.get(i % faces.size()));
                millis[i] = (System.nanoTime() - t0) / 1e6;
            }
            return millis;
        }
    }

    /** Sends one face and checks the answer; closed when its client thread is done. */
    private interface FaceSender extends AutoCloseable {
        void send(byte[] png) throws Exception;

        @Override
        default void close() throws IOException {}
    }

    /** A wrk-style sender: its own keep-alive connection. */
    private static FaceSender keepAlive(String url) throws IOException {
        KeepAliveConnection connection = new KeepAliveConnection(url);
        return new FaceSender() {
            @Override
            public void send(byte[] png) throws IOException {
                predict(connection, png);
            }

            @Override
            public void close() throws IOException {
                connection.close();
            }
        };
    }

    /** Faces per second answered to {@code concurrency} client threads, each with a sender of its own. */
    private static double throughput(Callable<FaceSender> senders, List<byte[]> faces, int concurrency, int seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long t0 = System.nanoTime();
            long end = t0 + seconds * 1_000_000_000L;
            List<Future<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                int offset = w;
                workers.add(pool.submit(() -> {
                    int count = 0;
                    try (FaceSender sender = senders.call()) {
                        while (System.nanoTime() < end) {
                            sender.send(faces.get((offset + count) % faces.size()));
                            count++;
                        }
                    }
                    return count;
                }));
            }
            int total = 0;
            for (Future<Integer> worker : workers) {
                total += worker.get();
            }
            return total / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void predict(KeepAliveConnection connection, byte[] png) throws IOException {
        KeepAliveConnection.Answer answer = connection.post("/api/v1/predictions", "image/png", png);
        if (answer.status() != 200 || !answer.body().contains("\"emotion\"")) {
            throw new AssertionError("HTTP " + answer.status() + ": " + answer.body());
        }
    }

    static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
    }
}
