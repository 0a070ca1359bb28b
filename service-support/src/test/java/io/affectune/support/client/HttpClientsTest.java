package io.affectune.support.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The one client factory against a real HTTP server: a client starts from Spring Boot's WebClient.Builder (a
 * customizer of the application reaches it), with its own base URL, response timeout and in-memory limit; and the
 * two failure predicates the Resilience4j configuration names classify real failures.
 */
@SpringBootTest(
        classes = HttpClientsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "spring.main.web-application-type=none")
class HttpClientsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /** Stands for Boot's own instrumentation of the builder (observations, tracing headers). */
        @Bean
        WebClientCustomizer marker() {
            return builder -> builder.defaultHeader("X-Boot-Builder", "yes");
        }
    }

    private static final List<String> seen = new CopyOnWriteArrayList<>();
    private static DisposableServer server;

    @Autowired
    HttpClients clients;

    @BeforeAll
    static void start() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.get("/hello", (req, res) -> {
                            seen.add(req.uri() + " " + req.requestHeaders().get("X-Boot-Builder", "-"));
                            return res.sendString(Mono.just("hello"));
                        })
                        .get(
                                "/slow",
                                (req, res) -> res.sendString(Mono.just("late").delayElement(Duration.ofSeconds(3))))
                        .get("/big", (req, res) -> res.sendByteArray(Mono.just(new byte[4096])))
                        .get(
                                "/status/{code}",
                                (req, res) -> res.status(Integer.parseInt(req.param("code")))
                                        .send()))
                .bindNow();
    }

    @AfterAll
    static void stop() {
        server.disposeNow();
    }

    private WebClient client(Duration responseTimeout) {
        return clients.webClient(
                HttpClientSettings.of("http://127.0.0.1:" + server.port(), responseTimeout, DataSize.ofKilobytes(1)));
    }

    private static Throwable failure(WebClient client, String path) {
        return catchThrowable(
                () -> client.get().uri(path).retrieve().bodyToMono(byte[].class).block(Duration.ofSeconds(10)));
    }

    @Test
    void aClientIsBootsBuilderWithItsOwnBaseUrl() {
        String answer = client(Duration.ofSeconds(2))
                .get()
                .uri("/hello")
                .retrieve()
                .bodyToMono(String.class)
                .block();

        assertThat(answer).isEqualTo("hello");
        assertThat(seen).contains("/hello yes");
    }

    @Test
    void itsResponseTimeoutAndInMemoryLimitHold() {
        long start = System.nanoTime();
        Throwable slow = failure(client(Duration.ofMillis(300)), "/slow");
        assertThat(slow).isInstanceOf(WebClientRequestException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

        assertThat(failure(client(Duration.ofSeconds(2)), "/big"))
                .hasRootCauseInstanceOf(DataBufferLimitException.class);
    }

    @Test
    void aConnectTimeoutIsTheResponseTimeoutAtMostTwoSeconds() {
        assertThat(HttpClientSettings.of("http://x", Duration.ofMillis(500), DataSize.ofKilobytes(1))
                        .connectTimeout())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(HttpClientSettings.of("http://x", Duration.ofSeconds(5), DataSize.ofKilobytes(1))
                        .connectTimeout())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusalsAreClientErrorAnswersAndServerErrorsAndRefusedConnectionsAreTransient() throws Exception {
        WebClient client = client(Duration.ofSeconds(2));
        Throwable conflict = failure(client, "/status/409");
        Throwable badRequest = failure(client, "/status/400");
        Throwable unavailable = failure(client, "/status/503");
        Throwable slow = failure(client(Duration.ofMillis(300)), "/slow");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Throwable refused = failure(
                clients.webClient(HttpClientSettings.of(
                        "http://127.0.0.1:" + closedPort, Duration.ofSeconds(2), DataSize.ofKilobytes(1))),
                "/hello");

        assertThat(conflict).isInstanceOf(WebClientResponseException.Conflict.class);
        ClientErrorAnswer clientError = new ClientErrorAnswer();
        assertThat(List.of(conflict, badRequest)).allMatch(clientError);
        assertThat(List.of(unavailable, slow, refused)).noneMatch(clientError);

        TransientFailure transientFailure = new TransientFailure();
        assertThat(List.of(unavailable, refused)).allMatch(transientFailure);
        assertThat(List.of(conflict, badRequest, slow, new IllegalStateException("wrong count")))
                .noneMatch(transientFailure);
    }
}
