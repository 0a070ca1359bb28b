package io.affectune.bench.camera;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.testsupport.ResidentMemoryLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.opencv.core.Mat;

/**
 * Native-memory soak of camera-service: every frame allocates OpenCV Mats (decode, grey, detector
 * input, crops) that must be released. Loads the packaged service for --minutes (default 10) with
 * 640x480 and 1280x720 JPEG frames of real faces and with damaged JPEGs, and samples its resident
 * memory every 10 s. The heap is fixed and pre-touched so that only native growth shows; after the
 * warm-up (first fifth, at least 1 minute) RSS must grow less than 5 %, else the exit status is 1.
 * Run: camera-service/scripts/soak.sh [--minutes 10] [--clients 4]
 */
public final class CameraSoak {

    public static void main(String[] args) throws Exception {
        double minutes = Double.parseDouble(CropCalibration.arg(args, "--minutes", "10"));
        int clients = Integer.parseInt(CropCalibration.arg(args, "--clients", "4"));
        long durationMillis = (long) (minutes * 60_000);
        long warmupMillis = Math.max(60_000, durationMillis / 5);
        List<byte[]> frames = new ArrayList<>();
        List<TestFaces.Face> faces = TestFaces.all();
        for (int i = 0; i < 8; i++) {
            boolean large = i % 2 == 1;
            Mat frame = TestFrames.compose(
                    faces.get(i * 5 % faces.size()).pixels(),
                    large ? 1280 : 640,
                    large ? 720 : 480,
                    large ? 320 : 200,
                    large ? 500 : 220,
                    large ? 200 : 140,
                    i);
            frames.add(TestFaces.jpeg(frame, 90));
            frame.release();
        }
        byte[] damaged = Arrays.copyOf(frames.get(0), frames.get(0).length / 2);
        boolean grew;
        try (Services services =
                new Services(null, List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC"))) {
            String analyze = services.camera.baseUrl() + "/api/v1/analyze";
            HttpClient http = HttpClient.newHttpClient();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong requests = new AtomicLong();
            AtomicLong unexpected = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < clients; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    int i = 0;
                    while (running.get()) {
                        boolean bad = worker == 0 && i % 10 == 0;
                        byte[] body = bad ? damaged : frames.get((worker * 3 + i) % frames.size());
                        HttpResponse<String> answer = http.send(
                                HttpRequest.newBuilder(URI.create(analyze))
                                        .header("Content-Type", "image/jpeg")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != (bad ? 400 : 200)) {
                            unexpected.incrementAndGet();
                        }
                        requests.incrementAndGet();
                        i++;
                    }
                    return null;
                }));
            }
            ResidentMemoryLog memory = new ResidentMemoryLog(services.camera, warmupMillis);
            memory.sampleFor(
                    durationMillis,
                    10_000,
                    (elapsed, rss) -> System.out.printf(
                            Locale.ROOT,
                            "t=%5.0f s  RSS %7.1f MiB  requests %d%n",
                            elapsed / 1000.0,
                            rss / 1024.0,
                            requests.get()));
            running.set(false);
            for (Future<?> worker : workers) {
                worker.get();
            }
            pool.shutdown();
            ResidentMemoryLog.Growth growth = memory.growth();
            System.out.printf(
                    Locale.ROOT,
                    "soak %.1f min, %d requests (%d answered other than expected); camera-service RSS "
                            + "after warm-up (%.0f s) %.1f MiB, at the end %.1f MiB, peak %.1f MiB: growth %.2f %% (limit 5 %%)%n",
                    minutes,
                    requests.get(),
                    unexpected.get(),
                    warmupMillis / 1000.0,
                    growth.afterWarmupKib() / 1024.0,
                    growth.lastKib() / 1024.0,
                    growth.peakKib() / 1024.0,
                    growth.percent());
            grew = growth.percent() >= 5.0 || unexpected.get() > 0 || !services.camera.isRunning();
        }
        System.exit(grew ? 1 : 0);
    }
}
