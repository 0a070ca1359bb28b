package io.affectune.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A tight per-client budget and services that are down (emotion, camera): 429 and 503, both as problem+json with
 * Retry-After, also for a WebSocket; and every one of many pipelined over-limit requests answered.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "affectune.gateway.rate-limit.requests-per-second=0.5",
            "affectune.gateway.rate-limit.burst=4",
        })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayLimitsAndOutagesTest {

    static final StubService PLAYLIST = new StubService("playlist-service");
    static final int CLOSED_PORT = closedPort();

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("affectune.gateway.emotion-service-url", () -> "http://127.0.0.1:" + CLOSED_PORT);
        registry.add("affectune.gateway.playlist-service-url", PLAYLIST::url);
        registry.add("affectune.gateway.camera-service-url", () -> "http://127.0.0.1:" + CLOSED_PORT);
    }

    @AfterAll
    static void stopStubs() {
        PLAYLIST.close();
    }

    @LocalServerPort
    int port;

    WebTestClient http() {
        return GatewayClients.to("http://localhost:" + port);
    }

    @Test
    @Order(1)
    void aServiceThatIsDownIs503ProblemAndHealthSaysWhich() throws InterruptedException {
        http().post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(new byte[100])
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader()
                .valueEquals("Retry-After", "5")
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(503)
                .jsonPath("$.service")
                .isEqualTo("emotion-service")
                .jsonPath("$.detail")
                .value(detail -> assertThat((String) detail).contains("emotion-service cannot be reached"));

        http().get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody()
                .jsonPath("$.components.downstream.components.emotion-service.status")
                .isEqualTo("DOWN")
                .jsonPath("$.components.downstream.components.playlist-service.status")
                .isEqualTo("UP")
                .jsonPath("$.components.downstream.components.camera-service.status")
                .isEqualTo("DOWN");
        // the gateway itself stays alive: its liveness does not depend on the services behind it
        http().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

        Thread.sleep(2_100); // one token back, so the next test starts from a known budget
    }

    @Test
    @Order(2)
    void aClientOverItsBudgetGets429WithRetryAfter() throws InterruptedException {
        Thread.sleep(8_100); // a full bucket whatever ran before
        for (int i = 0; i < 4; i++) {
            http().get()
                    .uri("/api/v1/playlists/happy")
                    .exchange()
                    .expectStatus()
                    .isOk();
        }
        http().get()
                .uri("/api/v1/playlists/happy")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader()
                .valueEquals("Retry-After", "2")
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(429)
                .jsonPath("$.retryAfterSeconds")
                .isEqualTo(2)
                .jsonPath("$.detail")
                .value(detail -> assertThat((String) detail).contains("Wait 2 s"));
        // the dashboard and the health checks are not rate limited
        http().get().uri("/").exchange().expectStatus().isOk();
        Thread.sleep(2_100);
        http().get().uri("/api/v1/playlists/happy").exchange().expectStatus().isOk();
    }

    /** Before this change the gateway accepted the upgrade (101) and then dropped the WebSocket at once. */
    @Test
    @Order(3)
    void aWebSocketToACameraServiceThatIsDownIs503BeforeAnyUpgrade() throws Exception {
        Thread.sleep(2_100); // a token for this request
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /api/v1/sessions/s1/stream HTTP/1.1\r\nHost: localhost:" + port
                                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "Sec-WebSocket-Version: 13\r\nOrigin: http://localhost:" + port + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            Http1Responses.Response answer = Http1Responses.next(socket.getInputStream());
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(answer.header("Retry-After")).isEqualTo("5");
            assertThat(answer.header("Upgrade")).isNull();
            assertThat(answer.body())
                    .contains("\"service\":\"camera-service\"")
                    .contains("urn:affectune:problem:service-unavailable");
        }
    }

    /**
     * Many clients, each pipelining over-limit requests of every shape on kept-alive connections (no body, a small
     * body, a chunked body, a 100 KB body): every request is answered. The server may close a connection after an
     * answer (Connection: close); the client then sends the rest again on a new one, as HTTP clients do. What must
     * never happen is a request left waiting with no answer and no close.
     */
    @Test
    @Order(4)
    void everyRequestOverTheLimitIsAnsweredEvenPipelinedWithBodies() throws Exception {
        int clients = 6;
        int perClient = 240;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> floodOneConnection(perClient)));
            }
            int answered = 0, refused = 0, hangs = 0, unanswered = 0;
            for (Future<int[]> result : results) {
                int[] counts = result.get(120, TimeUnit.SECONDS);
                answered += counts[0];
                refused += counts[1];
                hangs += counts[2];
                unanswered += counts[3];
            }
            System.out.printf(
                    "rate-limit flood: %d requests, %d answered (%d of them 429), %d left hanging, %d never answered%n",
                    clients * perClient, answered, refused, hangs, unanswered);
            assertThat(hangs).isZero();
            assertThat(unanswered).isZero();
            assertThat(answered).isEqualTo(clients * perClient);
            assertThat(refused).isGreaterThan(clients * perClient - 10);
        } finally {
            pool.shutdownNow();
            Thread.sleep(8_100); // a full bucket again for whatever runs next
        }
    }

    /**
     * A refused upload whose body arrives after its head (a slow link, a client that writes head and body apart):
     * answering at the head and closing let the body hit a closed socket, and the kernel's reset could take the
     * 429 with it. The gateway reads the body first, answers, and keeps the connection.
     */
    @Test
    @Order(5)
    void aRefusedUploadWhoseBodyArrivesLateIsAnsweredAndTheConnectionKept() throws Exception {
        for (int i = 0; i < 6; i++) {
            http().get().uri("/api/v1/playlists/happy").exchange(); // spend the budget
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            byte[] body = new byte[30_000];
            socket.getOutputStream()
                    .write(("POST /api/v1/feedback HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Content-Type: application/octet-stream\r\nContent-Length: " + body.length
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(300);
            socket.getOutputStream().write(body);
            Http1Responses.Response refused = Http1Responses.next(socket.getInputStream());
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Connection")).isNull();
            // the same connection still carries the next request
            socket.getOutputStream()
                    .write("GET /api/v1/playlists/happy HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            assertThat(Http1Responses.next(socket.getInputStream()).status()).isEqualTo(429);
        } finally {
            Thread.sleep(8_100);
        }
    }

    private int[] floodOneConnection(int requests) throws IOException {
        byte[] big = new byte[100_000];
        int answered = 0, refused = 0, hangs = 0, unanswered = 0;
        int next = 0;
        while (next < requests) {
            int batchEnd = Math.min(requests, next + 8);
            int attempts = 0;
            while (next < batchEnd && attempts++ < 5) {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(5_000);
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    for (int i = next; i < batchEnd; i++) {
                        batch.write(request(i, big));
                    }
                    try {
                        socket.getOutputStream().write(batch.toByteArray());
                    } catch (IOException closedWhileSending) {
                        // the server answered and closed; read what it said
                    }
                    try {
                        Http1Responses.Response answer;
                        while (next < batchEnd && (answer = Http1Responses.next(socket.getInputStream())) != null) {
                            answered++;
                            next++;
                            if (answer.status() == 429) {
                                refused++;
                            }
                            if ("close".equalsIgnoreCase(answer.header("Connection"))) {
                                break;
                            }
                        }
                    } catch (SocketTimeoutException hang) {
                        hangs++;
                    } catch (SocketException reset) {
                        // closed: the rest again on a new connection
                    }
                }
            }
            if (next < batchEnd) {
                unanswered += batchEnd - next;
                next = batchEnd;
            }
        }
        return new int[] {answered, refused, hangs, unanswered};
    }

    private static byte[] request(int i, byte[] big) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (i % 4) {
            case 0 ->
                out.write("GET /api/v1/playlists/happy HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
            case 1 ->
                out.write(("POST /api/v1/feedback HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 20\r\n\r\n{\"track\":\"t\",\"x\":12}")
                        .getBytes(StandardCharsets.US_ASCII));
            case 2 ->
                out.write(("POST /api/v1/feedback HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n12}\r\n0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            default -> {
                out.write(
                        ("POST /api/v1/feedback HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                                        + "Content-Length: " + big.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                out.write(big);
            }
        }
        return out.toByteArray();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
