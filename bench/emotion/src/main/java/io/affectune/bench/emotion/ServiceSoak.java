package io.affectune.bench.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.emotion.TestFaces;
import io.affectune.testsupport.ResidentMemoryLog;
import io.affectune.testsupport.ServiceProcess;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads the packaged service for -Dsoak.minutes (default 10) with single, batch and bad requests and
 * samples its resident memory (VmRSS from /proc/<pid>/status) every 10 s. The Java heap is fixed
 * and pre-touched (-Xms=-Xmx, AlwaysPreTouch) so that heap sizing does not hide or mimic a native
 * leak: after the warm-up (first fifth of the run, at least 1 minute) RSS must grow less than 5%.
 * Run with emotion-service/scripts/soak.sh.
 */
public final class ServiceSoak {

    private static final String REPORT = "soak-report.txt";

    public static void main(String[] args) {
        ToolMain.run(ServiceSoak::residentMemoryStaysFlatUnderLoad);
    }

    private static void residentMemoryStaysFlatUnderLoad() throws Exception {
        TestFaces.requireRealModel();
        LoadClient.startReport(REPORT);
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
        long durationMillis = (long) (minutes * 60_000);
        long warmupMillis = Math.max(60_000, durationMillis / 5);
        List<byte[]> faces = TestFaces.faces().stream().map(TestFaces.Face::png).toList();
        byte[] truncated = Arrays.copyOf(faces.get(0), faces.get(0).length / 2);
        try (ServiceProcess service = ServiceProcess.start(
                "emotion-service",
                Map.of(),
                List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC"))) {
            LoadClient client = new LoadClient(service.baseUrl());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong requests = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    int i = 0;
                    while (running.get()) {
                        HttpResponse<String> answer;
                        if (worker == 0 && i % 4 == 0) {
                            answer = client.predictBatch(faces.subList(0, 32));
                        } else if (worker == 1 && i % 10 == 0) {
                            answer = client.predict(truncated, "image/png");
                            assertThat(answer.statusCode()).isEqualTo(400);
                            answer = null;
                        } else {
                            answer = client.predict(faces.get((worker * 7 + i) % faces.size()), "image/png");
                        }
                        if (answer != null) {
                            HttpBenchmark.check(answer);
                        }
                        requests.incrementAndGet();
                        i++;
                    }
                    return null;
                }));
            }
            ResidentMemoryLog memory = new ResidentMemoryLog(service, warmupMillis);
            memory.sampleFor(
                    durationMillis,
                    10_000,
                    (elapsed, rss) -> LoadClient.report(
                            REPORT,
                            String.format(
                                    "t=%5.0f s  RSS %7.1f MiB  requests %d",
                                    elapsed / 1000.0, rss / 1024.0, requests.get())));
            running.set(false);
            for (Future<?> worker : workers) {
                worker.get();
            }
            pool.shutdown();
            ResidentMemoryLog.Growth growth = memory.growth();
            LoadClient.report(
                    REPORT,
                    String.format(
                            "soak %.1f min, %d requests; RSS after warm-up (%.0f s) %.1f MiB, "
                                    + "at the end %.1f MiB, peak %.1f MiB: growth %.2f %% (limit 5 %%)",
                            minutes,
                            requests.get(),
                            warmupMillis / 1000.0,
                            growth.afterWarmupKib() / 1024.0,
                            growth.lastKib() / 1024.0,
                            growth.peakKib() / 1024.0,
                            growth.percent()));
            assertThat(growth.percent()).isLessThan(5.0);
            assertThat(service.isRunning()).isTrue();
        }
    }
}
