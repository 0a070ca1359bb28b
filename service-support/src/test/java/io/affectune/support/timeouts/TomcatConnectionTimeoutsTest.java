package io.affectune.support.timeouts;

import static io.affectune.support.timeouts.HalfSentRequests.idleSecondsUntilClosed;
import static io.affectune.support.timeouts.HalfSentRequests.secondsUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The same limits on Tomcat (playlist-service's server): read 1 s, idle 2 s. */
@SpringBootTest(
        classes = TomcatConnectionTimeoutsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=servlet",
            "affectune.web.read-timeout=1s",
            "affectune.web.idle-timeout=2s"
        })
class TomcatConnectionTimeoutsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Endpoints.class)
    static class App {}

    @RestController
    static class Endpoints {
        @GetMapping("/hello")
        String hello() {
            return "hello";
        }

        @PostMapping("/echo")
        String echo(@RequestBody String body) {
            return body;
        }
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void aHalfSentHeadIsClosedWithinTheReadTimeout() throws Exception {
        double seconds = secondsUntilClosed(port, "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", 10);
        System.out.printf("tomcat: half-sent head closed after %.2f s (read timeout 1 s)%n", seconds);
        assertThat(seconds).isBetween(0.8, 2.0);
    }

    @Test
    void aHalfSentBodyIsClosedWithinTheReadTimeout() throws Exception {
        double seconds = secondsUntilClosed(
                port,
                "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 100\r\n\r\nonly ten b",
                10);
        System.out.printf("tomcat: half-sent body closed after %.2f s (read timeout 1 s)%n", seconds);
        // Tomcat's poller looks for timed-out reads once a second
        assertThat(seconds).isBetween(0.8, 2.6);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        double seconds = idleSecondsUntilClosed(port, "/hello", 10);
        System.out.printf("tomcat: idle keep-alive connection closed after %.2f s (idle timeout 2 s)%n", seconds);
        assertThat(seconds).isBetween(1.8, 3.0);
    }

    @Test
    void aWholeRequestStillWorks() throws Exception {
        RawHttp.Answer echo =
                RawHttp.post(port, "/echo", "text/plain", "ten bytes!".getBytes(StandardCharsets.US_ASCII));
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("ten bytes!");
    }
}
