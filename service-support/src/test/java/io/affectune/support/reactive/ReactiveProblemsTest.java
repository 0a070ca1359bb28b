package io.affectune.support.reactive;

import static io.affectune.support.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.support.image.DeclaredImageType;
import io.affectune.support.problem.ApiProblem;
import io.affectune.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
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
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * The WebFlux half of the library in a real Netty server, fed raw bytes: every refusal is problem+json,
 * including the requests Netty cannot parse and that Spring never sees.
 */
@SpringBootTest(
        classes = ReactiveProblemsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class ReactiveProblemsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Endpoints.class)
    static class App {
        /** Netty, as in the services (Tomcat is on this module's test class path too, for the servlet test). */
        @Bean
        NettyReactiveWebServerFactory netty(ObjectProvider<NettyServerCustomizer> customizers) {
            NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory();
            factory.getServerCustomizers().addAll(customizers.orderedStream().toList());
            return factory;
        }
    }

    @RestController
    static class Endpoints {
        @PostMapping("/echo-size")
        Mono<String> size(ServerHttpRequest request) {
            DeclaredImageType.require(request.getHeaders().getContentType(), true);
            return RequestBodies.readAll(request, 1000, max -> ApiProblem.tooLarge("Image too large", "over " + max))
                    .map(bytes -> "{\"bytes\":" + bytes.length + "}");
        }

        @GetMapping("/refuse")
        Mono<String> refuse() {
            return Mono.error(new ApiProblem(HttpStatus.CONFLICT, "History is off", "Turn it on first"));
        }

        /** Two inner publishers failing at once: Reactor hands on a composite of both problems. */
        @GetMapping("/two-problems")
        Mono<String> twoProblems() {
            return Mono.error(Exceptions.multiple(
                    new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported", "part 1 is a GIF"),
                    new ApiProblem(HttpStatus.PAYLOAD_TOO_LARGE, "Too large", "part 2 is too large")));
        }

        @GetMapping("/boom")
        String boom() {
            throw new IllegalStateException("internal detail");
        }
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void apiProblemsAndFaultsAreProblemJson() throws Exception {
        RawHttp.Answer refused = get("/refuse");
        assertProblem(refused, 409, "urn:affectune:problem:history-is-off");
        RawHttp.Answer boom = get("/boom");
        assertProblem(boom, 500, "urn:affectune:problem:internal-error");
        assertThat(boom.body()).doesNotContain("internal detail");
        RawHttp.Answer two = get("/two-problems");
        assertProblem(two, 415, "urn:affectune:problem:unsupported");
        assertThat(two.body()).contains("part 1 is a GIF");
        assertProblem(get("/nothing-here"), 404, "urn:affectune:problem:not-found");
    }

    @Test
    void bodiesOverTheLimitAreRefusedDeclaredOrChunked() throws Exception {
        assertProblem(
                RawHttp.post(port, "/echo-size", "image/jpeg", new byte[2000]),
                413,
                "urn:affectune:problem:image-too-large");
        String chunk = "x".repeat(600);
        String chunked = "POST /echo-size HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(600) + "\r\n" + chunk + "\r\n" + Integer.toHexString(600) + "\r\n" + chunk
                + "\r\n0\r\n\r\n";
        assertProblem(send(chunked), 413, "urn:affectune:problem:image-too-large");
        assertThat(RawHttp.post(port, "/echo-size", "image/jpeg", new byte[10]).body())
                .contains("\"bytes\":10");
    }

    @Test
    void aMalformedContentTypeIsA415() throws Exception {
        assertProblem(
                RawHttp.post(port, "/echo-size", "image/jpeg;;;=;\"", new byte[10]),
                415,
                "urn:affectune:problem:malformed-content-type");
    }

    @Test
    void requestsNettyCannotParseAreProblemJsonToo() throws Exception {
        assertProblem(
                send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                414,
                "urn:affectune:problem:uri-too-long");
        assertProblem(
                send("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
                431,
                "urn:affectune:problem:request-headers-too-large");
        assertProblem(
                send("GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n"),
                400,
                "urn:affectune:problem:malformed-request");
    }

    @Test
    void brokenUrisAndUnservedMethodsAreProblemJsonNotEmptyAnswers() throws Exception {
        assertProblem(get("/refuse%zz"), 400, "urn:affectune:problem:malformed-request");
        assertProblem(get("/refuse?model=%zz"), 400, "urn:affectune:problem:malformed-request");
        assertProblem(
                send("TRACE / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
                405,
                "urn:affectune:problem:method-not-allowed");
    }

    @Test
    void aSmallBodyRefusedBeforeItWasReadIsReadFirstAndTheConnectionStaysUsable() throws Exception {
        // two requests on one connection: the first is refused (415) before its body is read
        String body = "x".repeat(2000);
        String refused = "POST /echo-size HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        String next = "GET /refuse HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        RawHttp.Answer first = send(refused + next);
        assertThat(first.status()).isEqualTo(415);
        assertThat(first.header("Connection")).isNull();
        assertThat(first.body()).contains("HTTP/1.1 409", "history-is-off");
    }

    private RawHttp.Answer get(String path) throws Exception {
        return send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private RawHttp.Answer send(String request) throws Exception {
        return RawHttp.send(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }
}
