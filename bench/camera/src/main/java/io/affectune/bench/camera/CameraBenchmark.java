package io.affectune.bench.camera;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.opencv.core.Mat;

/**
 * Prints, in one run: (1) latency of POST /api/v1/analyze on a 640x480 JPEG with one face, p50/p95,
 * split into decode/detect/classify as reported by the service plus the client round trip; (2) four
 * WebSocket sessions sending 10 frames/s each: processed rate, dropped frames, and latency (frame
 * sent -> its result received) in the first and second half, to show it does not grow, with camera-service's
 * heap and resident memory before and after the streams, p99 and dropped frames over all sessions, and the CPU
 * time camera-service and emotion-service used during the streams. The streamed frames show the face moving a few pixels
 * (a random walk of up to {@code --jitter} px), as a person sitting in front of a camera does.
 * Run: camera-service/scripts/benchmark.sh [--requests 300] [--seconds 30] [--sessions 4] [--fps 10] [--jitter 3]
 * [--camera URL] [--analyze-during-streams N] (N more /analyze requests, one after another, while the streams run)
 * [--empty-scene] (the streams show a scene without a face: every frame is detected, the costliest case for detection)
 * [--warmup-seconds 90] (4 clients send /analyze requests that long first, beside {@code --sessions} streams: the JVMs
 * compile their hot paths only after thousands of requests, and a deployed service runs warm; on the 2-core machine
 * /analyze p50 was 25.0 ms after 20 s (700 requests) and 16.6 ms after 90 s (5,000); 0 = only the 50 sequential
 * warm-up requests) [--warmup-max-seconds 300] (after the first {@code --warmup-seconds}, the warm-up goes on in
 * 15-second rounds while either service's JIT still compiles more than {@code --settled-compile} [0.05] of a core,
 * Micrometer's {@code jvm.compilation.time}: on two cores the C2 compilers of the two services took 0.2-0.3 cores
 * each for about three minutes of this load, which the measured phases got, not a service that has run a while)
 */
public final class CameraBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(CropCalibration.arg(args, "--requests", "300"));
        int seconds = Integer.parseInt(CropCalibration.arg(args, "--seconds", "30"));
        int sessions = Integer.parseInt(CropCalibration.arg(args, "--sessions", "4"));
        int fps = Integer.parseInt(CropCalibration.arg(args, "--fps", "10"));
        int jitter = Integer.parseInt(CropCalibration.arg(args, "--jitter", "3"));
        String cameraUrl = CropCalibration.arg(args, "--camera", null);
        // /analyze requests sent one after another while the streams run (0 = none): the "while N streams run" figure
        int analyzeDuring = Integer.parseInt(CropCalibration.arg(args, "--analyze-during-streams", "0"));
        int warmupSeconds = Integer.parseInt(CropCalibration.arg(args, "--warmup-seconds", "90"));
        int warmupMaxSeconds = Integer.parseInt(CropCalibration.arg(args, "--warmup-max-seconds", "300"));
        double settledCompile = Double.parseDouble(CropCalibration.arg(args, "--settled-compile", "0.05"));
        boolean emptyScene = java.util.Arrays.asList(args).contains("--empty-scene");
        Services services = cameraUrl == null ? new Services(null) : null;
        try {
            String base = cameraUrl != null ? cameraUrl : services.camera.baseUrl();
            Mat frame = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 200, 220, 140, 1);
            byte[] jpeg = TestFaces.jpeg(frame, 90);
            frame.release();
            System.out.printf(
                    Locale.ROOT,
                    "frame: 640x480 JPEG, %d bytes, one face; %d CPU cores%n",
                    jpeg.length,
                    Runtime.getRuntime().availableProcessors());
            List<byte[]> moving = new ArrayList<>();
            java.util.Random walk = new java.util.Random(7);
            int dx = 0;
            int dy = 0;
            for (int i = 0; i < 40; i++) {
                Mat f = emptyScene
                        ? TestFrames.background(640, 480, 100 + i)
                        : TestFrames.compose(
                                TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 200, 220 + dx, 140 + dy, 1);
                moving.add(TestFaces.jpeg(f, 90));
                f.release();
                dx = Math.max(-jitter, Math.min(jitter, dx + walk.nextInt(3) - 1));
                dy = Math.max(-jitter, Math.min(jitter, dy + walk.nextInt(3) - 1));
            }
            warmUp(
                    base,
                    services,
                    jpeg,
                    new WarmUp(warmupSeconds, Math.max(warmupSeconds, warmupMaxSeconds), settledCompile),
                    moving,
                    sessions,
                    fps);
            analyzeLatency(base, jpeg, requests, "");
            String memoryBefore = memory(base, services);
            double[] cpuBefore = cpuSeconds(base, services);
            streams(base, moving, sessions, fps, seconds, jpeg, analyzeDuring);
            double[] cpuAfter = cpuSeconds(base, services);
            System.out.printf(
                    Locale.ROOT,
                    "camera-service memory before the streams: %s%n" + "camera-service memory after the streams:  %s%n",
                    memoryBefore,
                    memory(base, services));
            System.out.printf(
                    Locale.ROOT,
                    "CPU during the streams (core-seconds per second): camera-service %.2f, "
                            + "emotion-service %.2f%n",
                    (cpuAfter[0] - cpuBefore[0]) / (seconds + 2),
                    (cpuAfter[1] - cpuBefore[1]) / (seconds + 2));
        } finally {
            if (services != null) {
                services.close();
            }
        }
    }

    /**
     * How long to warm up: at least {@code seconds}, then on while a service's JIT compiles more than {@code
     * settledCompile} of a core (15-second rounds), at most {@code maxSeconds}.
     */
    private record WarmUp(int seconds, int maxSeconds, double settledCompile) {}

    private static final int SETTLE_ROUND_SECONDS = 15;

    /**
     * /analyze requests from 4 clients at once for {@code warmUp} (at least its seconds, then until the JIT has
     * settled) and, beside them, {@code sessions} streams of the frames the measured streams send, answers not
     * measured: both paths are compiled before either is measured (the stream path only compiled during the measured
     * streams made the "/analyze while the streams run" figure swing between runs with the JIT's work).
     */
    private static void warmUp(
            String base, Services services, byte[] jpeg, WarmUp warmUp, List<byte[]> frames, int sessions, int fps)
            throws Exception {
        if (warmUp.seconds() <= 0) {
            return;
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/analyze"))
                .header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
                .build();
        long start = System.nanoTime();
        AtomicLong end = new AtomicLong(start + warmUp.maxSeconds() * 1_000_000_000L);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(Math.max(1, sessions));
        List<Stream> streams = openStreams(http, base, "warmup", sessions);
        sendFrames(timer, streams, frames, fps, end::get);
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            Thread client = new Thread(() -> {
                try {
                    while (System.nanoTime() < end.get()) {
                        http.send(request, HttpResponse.BodyHandlers.discarding());
                        sent.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("warm-up request failed: " + e, e);
                }
            });
            client.start();
            clients.add(client);
        }
        String compiling = settle(http, base, services, warmUp, end);
        for (Thread client : clients) {
            client.join();
        }
        timer.shutdownNow();
        int streamed = 0;
        for (Stream stream : streams) {
            streamed += stream.processed;
            stream.socket.sendClose(WebSocket.NORMAL_CLOSURE, "warm-up done");
        }
        System.out.printf(
                Locale.ROOT,
                "warm-up: %d /analyze requests from 4 clients and %d frames of %d streams in %d s; %s%n",
                sent.get(),
                streamed,
                sessions,
                Math.round((System.nanoTime() - start) / 1e9),
                compiling);
    }

    /**
     * Waits out the warm-up's first {@code seconds}, then 15-second rounds until both services' JIT compile less than
     * {@code settledCompile} of a core or {@code maxSeconds} are up; ends the warm-up. Says what the last round saw.
     */
    private static String settle(HttpClient http, String base, Services services, WarmUp warmUp, AtomicLong end)
            throws InterruptedException {
        Thread.sleep(warmUp.seconds() * 1000L);
        String seen = "JIT compile share not measured";
        while (System.nanoTime() + SETTLE_ROUND_SECONDS * 1_000_000_000L < end.get()) {
            double[] before = compileSeconds(http, base, services);
            long t0 = System.nanoTime();
            Thread.sleep(SETTLE_ROUND_SECONDS * 1000L);
            double[] after = compileSeconds(http, base, services);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double camera = (after[0] - before[0]) / elapsed;
            double emotion = (after[1] - before[1]) / elapsed;
            seen = String.format(
                    Locale.ROOT,
                    "JIT compiling in the last %d s: camera-service %.2f, emotion-service %.2f cores",
                    SETTLE_ROUND_SECONDS,
                    camera,
                    emotion);
            if (Double.isNaN(camera)
                    || camera <= warmUp.settledCompile()
                            && (Double.isNaN(emotion) || emotion <= warmUp.settledCompile())) {
                break;
            }
        }
        end.set(Math.min(end.get(), System.nanoTime()));
        return seen;
    }

    /** Time the JIT compilers have spent so far (s) in camera-service and emotion-service (jvm.compilation.time). */
    private static double[] compileSeconds(HttpClient http, String base, Services services) {
        return new double[] {
            seconds(http, base, "jvm.compilation.time"),
            services == null ? Double.NaN : seconds(http, services.emotion.baseUrl(), "jvm.compilation.time")
        };
    }

    /** One WebSocket session per stream, named {@code bench-<name>-<i>-<time>}. */
    private static List<Stream> openStreams(HttpClient http, String base, String name, int sessions) {
        List<Stream> streams = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            Stream stream = new Stream();
            String url = base.replaceFirst("^http", "ws") + "/api/v1/sessions/bench-" + name + "-" + s + "-"
                    + System.nanoTime() + "/stream";
            stream.socket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(url), stream)
                    .join();
            streams.add(stream);
        }
        return streams;
    }

    /** Each stream sends the frames in turn at {@code fps} until {@code end} (System.nanoTime()). */
    private static void sendFrames(
            ScheduledExecutorService timer, List<Stream> streams, List<byte[]> frames, int fps, LongSupplier end) {
        for (Stream stream : streams) {
            timer.scheduleAtFixedRate(
                    () -> {
                        if (System.nanoTime() < end.getAsLong()) {
                            stream.send(frames.get(stream.sentTimes.size() % frames.size()));
                        }
                    },
                    0,
                    1000 / fps,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static void analyzeLatency(String base, byte[] jpeg, int requests, String during) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/analyze"))
                .header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
                .build();
        for (int i = 0; i < 50; i++) {
            http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        List<Double> client = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        List<Double> detect = new ArrayList<>();
        List<Double> classify = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        int faces = 0;
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            client.add((System.nanoTime() - start) / 1e6);
            JsonNode result = JSON.readTree(response.body());
            JsonNode t = result.path("timings");
            decode.add(t.path("decodeMs").asDouble());
            detect.add(t.path("detectMs").asDouble());
            classify.add(t.path("classifyMs").asDouble());
            total.add(t.path("totalMs").asDouble());
            faces += result.path("degraded").asBoolean()
                    ? 0
                    : result.path("faces").size();
        }
        System.out.printf(
                Locale.ROOT,
                "%nPOST /api/v1/analyze, %d sequential requests (after 50 warm-up)%s, %d faces classified%n",
                requests,
                during,
                faces);
        System.out.printf(Locale.ROOT, "%-28s %8s %8s%n", "stage", "p50 ms", "p95 ms");
        row("decode (server)", decode);
        row("detect + crop (server)", detect);
        row("classify (emotion-service)", classify);
        row("total (server)", total);
        row("round trip (client)", client);
    }

    private static void row(String name, List<Double> values) {
        System.out.printf(Locale.ROOT, "%-28s %8.1f %8.1f%n", name, quantile(values, .5), quantile(values, .95));
    }

    /** Heap used, live heap after the last collection (JVM metrics of the service) and, when started here, RSS. */
    private static String memory(String base, Services services) {
        HttpClient http = HttpClient.newHttpClient();
        double heap = metric(http, base, "jvm.memory.used?tag=area:heap");
        double committed = metric(http, base, "jvm.memory.committed?tag=area:heap");
        String rss = services == null
                ? "n/a"
                : String.format(Locale.ROOT, "%.1f MiB", services.camera.residentKib() / 1024.0);
        return String.format(
                Locale.ROOT,
                "heap used %.1f MiB (committed %.1f MiB), RSS %s",
                heap / (1 << 20),
                committed / (1 << 20),
                rss);
    }

    /** CPU time used so far (s) by camera-service and, when started here, emotion-service (process.cpu.time). */
    private static double[] cpuSeconds(String base, Services services) {
        HttpClient http = HttpClient.newHttpClient();
        return new double[] {
            seconds(http, base, "process.cpu.time"),
            services == null ? Double.NaN : seconds(http, services.emotion.baseUrl(), "process.cpu.time")
        };
    }

    /** A time metric in seconds, whatever base unit the service reports it in. */
    private static double seconds(HttpClient http, String base, String name) {
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/metrics/" + name))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode metric = JSON.readTree(answer.body());
            double value = metric.path("measurements").path(0).path("value").asDouble(Double.NaN);
            return switch (metric.path("baseUnit").asText("seconds")) {
                case "nanoseconds", "ns" -> value / 1e9; // Micrometer's process.cpu.time says "ns"
                case "microseconds", "us" -> value / 1e6;
                case "milliseconds", "ms" -> value / 1e3;
                default -> value;
            };
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static double metric(HttpClient http, String base, String name) {
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/metrics/" + name))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(answer.body())
                    .path("measurements")
                    .path(0)
                    .path("value")
                    .asDouble(Double.NaN);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static void streams(
            String base,
            List<byte[]> frames,
            int sessions,
            int fps,
            int seconds,
            byte[] analyzeFrame,
            int analyzeDuring)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(sessions);
        List<Stream> streams = openStreams(http, base, "measured", sessions);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        sendFrames(timer, streams, frames, fps, () -> end);
        if (analyzeDuring > 0) {
            Thread.sleep(Math.min(5000, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) / 4));
            analyzeLatency(base, analyzeFrame, analyzeDuring, " while the " + sessions + " sessions below stream");
            if (System.nanoTime() > end) {
                System.out.println("(the streams ended before these requests did: use more --seconds)");
            }
        }
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) + 2000);
        timer.shutdownNow();
        System.out.printf(
                Locale.ROOT,
                "%n%d WebSocket sessions x %d frames/s for %d s %n"
                        + "latency: server = queue wait + processing (exact per frame); client = frame sent -> result received,%n"
                        + "matching result k to sent frame k + droppedFrames (approximate when frames are dropped)%n",
                sessions,
                fps,
                seconds);
        System.out.printf(
                Locale.ROOT,
                "%-8s %5s %9s %8s %7s %17s %17s %15s %15s%n",
                "session",
                "sent",
                "processed",
                "dropped",
                "rate/s",
                "server p50/p95 ms",
                "client p50/p95 ms",
                "server 1st-half",
                "server 2nd-half");
        double rate = 0;
        for (int i = 0; i < streams.size(); i++) {
            Stream s = streams.get(i);
            List<Double> lat = s.latencies;
            List<Double> srv = s.serverLatencies;
            int half = srv.size() / 2;
            double r = s.processed / (double) seconds;
            rate += r;
            if (srv.isEmpty()) {
                System.out.printf(
                        Locale.ROOT,
                        "%-8d %5d %9d   no result%s%n",
                        i,
                        s.sentTimes.size(),
                        s.processed,
                        s.closedBy == null ? "" : "; closed by the service: " + s.closedBy);
                s.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
                continue;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-8d %5d %9d %8d %7.1f %8.1f/%-8.1f %8.1f/%-8.1f %15s %15s%n",
                    i,
                    s.sentTimes.size(),
                    s.processed,
                    s.dropped,
                    r,
                    quantile(srv, .5),
                    quantile(srv, .95),
                    quantile(lat, .5),
                    quantile(lat, .95),
                    String.format(
                            Locale.ROOT,
                            "%.1f/%.1f",
                            quantile(srv.subList(0, Math.max(1, half)), .5),
                            quantile(srv.subList(0, Math.max(1, half)), .95)),
                    String.format(
                            Locale.ROOT,
                            "%.1f/%.1f",
                            quantile(srv.subList(half, srv.size()), .5),
                            quantile(srv.subList(half, srv.size()), .95)));
            s.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        List<Double> all = new ArrayList<>();
        List<Double> allServer = new ArrayList<>();
        streams.forEach(s -> all.addAll(s.latencies));
        streams.forEach(s -> allServer.addAll(s.serverLatencies));
        long droppedAll = streams.stream().mapToLong(s -> s.dropped).sum();
        long sentAll = streams.stream().mapToLong(s -> s.sentTimes.size()).sum();
        System.out.printf(
                Locale.ROOT,
                "all sessions: processed %.1f frames/s in total (sent %d/s); server latency p50 %.1f ms, "
                        + "p95 %.1f ms, p99 %.1f ms; client latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; dropped %d of %d frames%n",
                rate,
                streams.size() * fps,
                quantile(allServer, .5),
                quantile(allServer, .95),
                quantile(allServer, .99),
                quantile(all, .5),
                quantile(all, .95),
                quantile(all, .99),
                droppedAll,
                sentAll);
        // where a streamed frame's server latency goes: the same stages as /analyze, plus its wait behind the
        // session's previous frame (classify includes waiting for a shared emotion-service call, or ~0 when the
        // frame shows a recent answer); emotion age: how old the emotions shown are (0 = classified for this frame)
        List<double[]> stages = new ArrayList<>();
        streams.forEach(s -> stages.addAll(s.stages));
        String[] names = {
            "queue wait", "decode", "detect/follow + crop", "classify", "total (without queue)", "emotion age"
        };
        System.out.printf(Locale.ROOT, "streamed frames by stage   p50 ms   p95 ms   mean ms%n");
        for (int k = 0; k < names.length; k++) {
            int stage = k;
            List<Double> values =
                    stages.stream().map(v -> v[stage]).filter(v -> !v.isNaN()).toList();
            System.out.printf(
                    Locale.ROOT,
                    "%-24s %8.1f %8.1f %9.1f%n",
                    names[k],
                    quantile(values, .5),
                    quantile(values, .95),
                    values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        }
    }

    /** One session: frames are processed in order, older waiting ones dropped, so result k+dropped is frame k+dropped. */
    private static final class Stream implements WebSocket.Listener {
        WebSocket socket;
        final List<Long> sentTimes = new CopyOnWriteArrayList<>();
        final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        final List<Double> serverLatencies = Collections.synchronizedList(new ArrayList<>());
        /** Per processed frame: queue wait, decode, detect (or follow) + crop, classify, total, emotion age (server). */
        final List<double[]> stages = Collections.synchronizedList(new ArrayList<>());

        volatile int processed;
        volatile long dropped;
        /** How the service closed the session, when it did before the run ended (e.g. 1013: refused, try later). */
        volatile String closedBy;

        private final StringBuilder text = new StringBuilder();
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

        synchronized void send(byte[] jpeg) {
            sending = sending.thenCompose(x -> {
                sentTimes.add(System.nanoTime());
                return socket.sendBinary(ByteBuffer.wrap(jpeg), true);
            });
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            text.append(data);
            if (last) {
                try {
                    JsonNode result = JSON.readTree(text.toString());
                    if (result.has("droppedFrames")) {
                        dropped = result.path("droppedFrames").asLong();
                        int index = (int) (processed + dropped);
                        if (index < sentTimes.size()) {
                            latencies.add((now - sentTimes.get(index)) / 1e6);
                        }
                        JsonNode t = result.path("timings");
                        serverLatencies.add(
                                t.path("queueMs").asDouble() + t.path("totalMs").asDouble());
                        stages.add(new double[] {
                            t.path("queueMs").asDouble(),
                            t.path("decodeMs").asDouble(),
                            t.path("detectMs").asDouble(),
                            t.path("classifyMs").asDouble(),
                            t.path("totalMs").asDouble(),
                            t.path("emotionAgeMs").asDouble(Double.NaN)
                        });
                        processed++;
                    }
                } catch (Exception e) {
                    System.err.println("bad result: " + e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedBy = statusCode + (reason == null || reason.isBlank() ? "" : " " + reason);
            return null;
        }
    }

    static double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.round(q * (sorted.size() - 1))));
    }
}
