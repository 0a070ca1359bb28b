package io.affectune.support.timeouts;

import static io.affectune.support.timeouts.HalfSentRequests.idleSecondsUntilClosed;
import static io.affectune.support.timeouts.HalfSentRequests.secondsUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real Netty server with short limits (read 1 s, idle 2 s): half-sent heads and bodies and idle keep-alive
 * connections are closed on time, while a long streamed answer is not cut.
 */
@SpringBootTest(classes = NettyConnectionTimeoutsTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=reactive", "affectune.web.read-timeout=1s",
                "affectune.web.idle-timeout=2s"})
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

        /** 8 events over 4 s: longer than both limits. */
        @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        Flux<String> events() {
            return Flux.interval(Duration.ofMillis(500)).take(8).map(i -> "tick-" + i);
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
        double seconds = secondsUntilClosed(port, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 100\r\n\r\nonly ten b", 10);
        System.out.printf("netty: half-sent body closed after %.2f s (read timeout 1 s)%n", seconds);
        assertThat(seconds).isBetween(0.8, 2.0);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        double seconds = idleSecondsUntilClosed(port, "/hello", 10);
        System.out.printf("netty: idle keep-alive connection closed after %.2f s (idle timeout 2 s; heads 1 s)%n", seconds);
        // Netty's one "waiting for a request" timer takes the smaller of the two limits
        assertThat(seconds).isBetween(0.8, 2.5);
    }

    @Test
    void aWholeRequestStillWorksAndALongStreamIsNotCut() throws Exception {
        RawHttp.Answer echo = RawHttp.post(port, "/echo", "text/plain", "ten bytes!".getBytes(StandardCharsets.US_ASCII));
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("ten bytes!");
        long start = System.nanoTime();
        RawHttp.Answer events = RawHttp.send(port, "GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.body()).contains("tick-0").contains("tick-7");
        assertThat(seconds).isGreaterThan(3.5);
    }
}
