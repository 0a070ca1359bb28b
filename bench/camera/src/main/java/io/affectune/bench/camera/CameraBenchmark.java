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
import java.time.Duration;
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
import org.opencv.core.Mat;

/**
 * Prints, in one run: (1) latency of POST /api/v1/analyze on a 640x480 JPEG with one face, p50/p95,
 * split into decode/detect/classify as reported by the service plus the client round trip; (2) four
 * WebSocket sessions sending 10 frames/s each: processed rate, dropped frames, and latency (frame
 * sent -> its result received) in the first and second half, to show it does not grow.
 * Run: camera-service/scripts/benchmark.sh [--requests 300] [--seconds 30] [--camera URL]
 */
public final class CameraBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(CropCalibration.arg(args, "--requests", "300"));
        int seconds = Integer.parseInt(CropCalibration.arg(args, "--seconds", "30"));
        int sessions = Integer.parseInt(CropCalibration.arg(args, "--sessions", "4"));
        int fps = Integer.parseInt(CropCalibration.arg(args, "--fps", "10"));
        String cameraUrl = CropCalibration.arg(args, "--camera", null);
        Services services = cameraUrl == null ? new Services(null) : null;
        try {
            String base = cameraUrl != null ? cameraUrl : services.camera.baseUrl();
            Mat frame = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 200, 220, 140, 1);
            byte[] jpeg = TestFaces.jpeg(frame, 90);
            frame.release();
            System.out.printf(Locale.ROOT, "frame: 640x480 JPEG, %d bytes, one face; %d CPU cores%n", jpeg.length,
                    Runtime.getRuntime().availableProcessors());
            analyzeLatency(base, jpeg, requests);
            streams(base, jpeg, sessions, fps, seconds);
        } finally {
            if (services != null) {
                services.close();
            }
        }
    }

    private static void analyzeLatency(String base, byte[] jpeg, int requests) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/analyze"))
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build();
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
            faces += result.path("degraded").asBoolean() ? 0 : result.path("faces").size();
        }
        System.out.printf(Locale.ROOT, "%nPOST /api/v1/analyze, %d sequential requests (after 50 warm-up), %d faces classified%n",
                requests, faces);
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

    private static void streams(String base, byte[] jpeg, int sessions, int fps, int seconds) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(sessions);
        List<Stream> streams = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            Stream stream = new Stream();
            String url = base.replaceFirst("^http", "ws") + "/api/v1/sessions/bench-" + s + "-" + System.nanoTime() + "/stream";
            stream.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), stream).join();
            streams.add(stream);
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (Stream stream : streams) {
            timer.scheduleAtFixedRate(() -> {
                if (System.nanoTime() < end) {
                    stream.send(jpeg);
                }
            }, 0, 1000 / fps, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 2000);
        timer.shutdownNow();
        System.out.printf(Locale.ROOT, "%n%d WebSocket sessions x %d frames/s for %d s %n"
                + "latency: server = queue wait + processing (exact per frame); client = frame sent -> result received,%n"
                + "matching result k to sent frame k + droppedFrames (approximate when frames are dropped)%n",
                sessions, fps, seconds);
        System.out.printf(Locale.ROOT, "%-8s %5s %9s %8s %7s %17s %17s %15s %15s%n", "session", "sent", "processed", "dropped",
                "rate/s", "server p50/p95 ms", "client p50/p95 ms", "server 1st-half", "server 2nd-half");
        double rate = 0;
        for (int i = 0; i < streams.size(); i++) {
            Stream s = streams.get(i);
            List<Double> lat = s.latencies;
            List<Double> srv = s.serverLatencies;
            int half = srv.size() / 2;
            double r = s.processed / (double) seconds;
            rate += r;
            System.out.printf(Locale.ROOT, "%-8d %5d %9d %8d %7.1f %8.1f/%-8.1f %8.1f/%-8.1f %15s %15s%n", i,
                    s.sentTimes.size(), s.processed, s.dropped, r, quantile(srv, .5), quantile(srv, .95),
                    quantile(lat, .5), quantile(lat, .95),
                    String.format(Locale.ROOT, "%.1f/%.1f", quantile(srv.subList(0, Math.max(1, half)), .5), quantile(srv.subList(0, Math.max(1, half)), .95)),
                    String.format(Locale.ROOT, "%.1f/%.1f", quantile(srv.subList(half, srv.size()), .5), quantile(srv.subList(half, srv.size()), .95)));
            s.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        List<Double> all = new ArrayList<>();
        List<Double> allServer = new ArrayList<>();
        streams.forEach(s -> all.addAll(s.latencies));
        streams.forEach(s -> allServer.addAll(s.serverLatencies));
        System.out.printf(Locale.ROOT, "all sessions: processed %.1f frames/s in total (sent %d/s); server latency p50 %.1f ms, "
                + "p95 %.1f ms; client latency p50 %.1f ms, p95 %.1f ms%n",
                rate, streams.size() * fps, quantile(allServer, .5), quantile(allServer, .95), quantile(all, .5), quantile(all, .95));
    }

    /** One session: frames are processed in order, older waiting ones dropped, so result k+dropped is frame k+dropped. */
    private static final class Stream implements WebSocket.Listener {
        WebSocket socket;
        final List<Long> sentTimes = new CopyOnWriteArrayList<>();
        final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        final List<Double> serverLatencies = Collections.synchronizedList(new ArrayList<>());
        volatile int processed;
        volatile long dropped;
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
                        serverLatencies.add(t.path("queueMs").asDouble() + t.path("totalMs").asDouble());
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
