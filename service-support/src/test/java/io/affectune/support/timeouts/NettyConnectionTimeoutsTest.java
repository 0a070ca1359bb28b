package io.affectune.support.timeouts;

import static io.affectune.support.timeouts.HalfSentRequests.idleSecondsUntilClosed;
import static io.affectune.support.timeouts.HalfSentRequests.secondsUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.testsupport.RawHttp;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real Netty server with short limits (read 1 s, idle 2 s): half-sent heads and bodies and idle keep-alive
 * connections are closed on time, while a long streamed answer with pauses and a quiet WebSocket are not cut.
 */
@SpringBootTest(
        classes = NettyConnectionTimeoutsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=reactive",
            "affectune.web.read-timeout=1s",
            "affectune.web.idle-timeout=2s"
        })
class NettyConnectionTimeoutsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Endpoints.class)
    static class App {
        @Bean
        NettyReactiveWebServerFactory netty(ObjectProvider<NettyServerCustomizer> customizers) {
            NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory();
            factory.getServerCustomizers().addAll(customizers.orderedStream().toList());
            return factory;
        }

        @Bean
        HandlerMapping echoSocket() {
            WebSocketHandler echo = session -> session.send(
                    session.receive().map(message -> session.textMessage("echo " + message.getPayloadAsText())));
            return new SimpleUrlHandlerMapping(Map.of("/echo-socket", echo), -1);
        }

        /** Reactor Netty's upgrade (Tomcat's is on this module's test class path too, for the servlet test). */
        @Bean
        WebSocketHandlerAdapter webSocketHandlerAdapter() {
            WebSocketHandlerAdapter adapter = new WebSocketHandlerAdapter(
                    new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy()));
            adapter.setOrder(0); // before the default adapter, which would pick Tomcat's upgrade
            return adapter;
        }
    }

    @RestController
    static class Endpoints {
        @GetMapping("/hello")
        String hello() {
            return "hello";
        }

        @PostMapping("/echo")
        Mono<String> echo(@RequestBody String body) {
            return Mono.just(body);
        }

        /** Answered from another thread a little later, as a prediction is answered by an inference thread. */
        @PostMapping("/later")
        Mono<String> later(@RequestBody String body) {
            return Mono.delay(Duration.ofMillis(20)).thenReturn("later " + body);
        }

        /** 3 events 1.3 s apart: each pause longer than the read limit, the whole longer than both. */
        @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        Flux<String> events() {
            return Flux.interval(Duration.ofMillis(1300)).take(3).map(i -> "tick-" + i);
        }
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void aHalfSentHeadIsClosedWithinTheReadTimeout() throws Exception {
        double seconds = secondsUntilClosed(port, "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", 10);
        System.out.printf("netty: half-sent head closed after %.2f s (read timeout 1 s)%n", seconds);
        assertThat(seconds).isBetween(0.8, 2.0);
    }

    @Test
    void aHalfSentBodyIsClosedWithinTheReadTimeout() throws Exception {
        double seconds = secondsUntilClosed(
                port,
                "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 100\r\n\r\nonly ten b",
                10);
        System.out.printf("netty: half-sent body closed after %.2f s (read timeout 1 s)%n", seconds);
        assertThat(seconds).isBetween(0.8, 2.0);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        double seconds = idleSecondsUntilClosed(port, "/hello", 10);
        System.out.printf(
                "netty: idle keep-alive connection closed after %.2f s (idle timeout 2 s; heads 1 s)%n", seconds);
        // Netty's one "waiting for a request" timer takes the smaller of the two limits
        assertThat(seconds).isBetween(0.8, 2.5);
    }

    @Test
    void aWholeRequestStillWorksAndALongStreamIsNotCut() throws Exception {
        RawHttp.Answer echo =
                RawHttp.post(port, "/echo", "text/plain", "ten bytes!".getBytes(StandardCharsets.US_ASCII));
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("ten bytes!");
        long start = System.nanoTime();
        RawHttp.Answer events = RawHttp.send(
                port,
                "GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.body()).contains("tick-0").contains("tick-2");
        assertThat(seconds).isGreaterThan(3.5);
    }

    @Test
    void aQuietWebSocketIsNotCut() {
        List<String> received = new CopyOnWriteArrayList<>();
        new ReactorNettyWebSocketClient()
                .execute(
                        URI.create("ws://127.0.0.1:" + port + "/echo-socket"),
                        session -> Mono.delay(Duration.ofMillis(2500))
                                .then(session.send(Mono.just(session.textMessage("after 2.5 s of silence"))))
                                .thenMany(session.receive()
                                        .map(WebSocketMessage::getPayloadAsText)
                                        .take(1)
                                        .doOnNext(received::add))
                                .then())
                .block(Duration.ofSeconds(10));
        assertThat(received).containsExactly("echo after 2.5 s of silence");
    }
}
