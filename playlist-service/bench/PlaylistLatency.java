import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency of GET /api/v1/playlists/{emotion} against a running playlist-service: sequential
 * requests over one keep-alive connection, varying emotion, strategy, limit and exclude
 * (exclude lists ids taken from earlier answers, as a player excluding tracks already played).
 * With listeners > 0 every request carries X-Listener-Id of one of the bench listeners written by
 * seed-listeners.sql (md5('bench-listener-<n>') as a UUID, n picked at random), so the personal ranking runs.
 * Usage: java PlaylistLatency.java [baseUrl] [requests] [warmup] [listeners]
 */
public class PlaylistLatency {

    private static final String[] EMOTIONS = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};
    private static final String[] STRATEGIES = {"match", "uplift"};
    private static final int[] LIMITS = {10, 15, 15, 20, 30};
    private static final Pattern ID = Pattern.compile("\\{\"id\":(\\d+)");
    private static int listeners;

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8083";
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        listeners = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(42);
        List<String> playedIds = new ArrayList<>();

        for (int i = 0; i < warmup; i++) {
            call(client, base, random, playedIds);
        }
        long[] nanos = new long[requests];
        int failures = 0;
        long wallStart = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long started = System.nanoTime();
            int status = call(client, base, random, playedIds);
            nanos[i] = System.nanoTime() - started;
            if (status != 200) {
                failures++;
            }
        }
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        Arrays.sort(nanos);
        System.out.printf("requests=%d warmup=%d listeners=%d failures=%d throughput=%.0f req/s%n", requests, warmup,
                listeners, failures, requests / wallSeconds);
        System.out.printf("p50=%.2f ms  p90=%.2f ms  p95=%.2f ms  p99=%.2f ms  max=%.2f ms%n",
                ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.95), ms(nanos, 0.99), nanos[nanos.length - 1] / 1e6);
        if (failures > 0) {
            System.exit(1);
        }
    }

    private static int call(HttpClient client, String base, Random random, List<String> playedIds) throws Exception {
        String emotion = EMOTIONS[random.nextInt(EMOTIONS.length)];
        String strategy = STRATEGIES[random.nextInt(STRATEGIES.length)];
        int limit = LIMITS[random.nextInt(LIMITS.length)];
        StringBuilder url = new StringBuilder(base).append("/api/v1/playlists/").append(emotion)
                .append("?limit=").append(limit).append("&strategy=").append(strategy);
        if (random.nextBoolean() && !playedIds.isEmpty()) {
            int n = 1 + random.nextInt(Math.min(20, playedIds.size()));
            url.append("&exclude=");
            for (int i = 0; i < n; i++) {
                url.append(i == 0 ? "" : ",").append(playedIds.get(random.nextInt(playedIds.size())));
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(10)).GET();
        if (listeners > 0) {
            request.header("X-Listener-Id", benchListener(random.nextInt(listeners)));
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (playedIds.size() < 500) {
            Matcher m = ID.matcher(response.body());
            for (int i = 0; i < 3 && m.find(); i++) {
                playedIds.add(m.group(1));
            }
        }
        return response.statusCode();
    }

    /** md5('bench-listener-' || n)::uuid, as seed-listeners.sql writes it. */
    static String benchListener(int n) throws Exception {
        byte[] digest = MessageDigest.getInstance("MD5").digest(("bench-listener-" + n).getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02x", b));
        }
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    private static double ms(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }
}
