package io.affectune.support.servlet;

import static io.affectune.support.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.support.problem.ApiProblem;
import io.affectune.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The servlet half of the library in a real Tomcat, fed raw bytes: Tomcat's own refusals included. */
@SpringBootTest(
        classes = ServletProblemsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=servlet", "affectune.web.max-request-bytes=1000"})
class ServletProblemsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Endpoints.class)
    static class App {}

    @RestController
    static class Endpoints {
        @PostMapping("/json")
        Map<String, Object> json(@RequestBody Map<String, Object> body) {
            return body;
        }

        @GetMapping("/count")
        int count(@RequestParam int n) {
            if (n < 0) {
                throw ApiProblem.badRequest("n must not be negative");
            }
            return n;
        }
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void springSideRefusalsAreProblemJson() throws Exception {
        assertProblem(get("/count?n=-1"), 400, "urn:affectune:problem:bad-request");
        RawHttp.Answer mismatch = get("/count?n=abc");
        assertProblem(mismatch, 400, "urn:affectune:problem:bad-request");
        assertThat(mismatch.body()).contains("whole number");
        assertProblem(
                RawHttp.post(port, "/json", "application/json", "{nope".getBytes()),
                400,
                "urn:affectune:problem:malformed-request-body");
        assertProblem(get("/nothing"), 404, "urn:affectune:problem:not-found");
    }

    @Test
    void bodiesOverTheLimitAre413DeclaredOrChunked() throws Exception {
        assertProblem(
                RawHttp.post(port, "/json", "application/json", new byte[2000]),
                413,
                "urn:affectune:problem:payload-too-large");
        String chunk = "{\"a\":\"" + "x".repeat(1200) + "\"}";
        String chunked = "POST /json HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
        assertProblem(send(chunked), 413, "urn:affectune:problem:payload-too-large");
    }

    @Test
    void requestsTomcatRefusesItselfAreProblemJsonNotHtml() throws Exception {
        assertProblem(
                send("GET /count?n={} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
                400,
                "urn:affectune:problem:bad-request");
        assertProblem(
                send("GET /a%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
                400,
                "urn:affectune:problem:bad-request");
        assertProblem(
                send("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(20_000)
                        + "\r\nConnection: close\r\n\r\n"),
                400,
                "urn:affectune:problem:bad-request");
    }

    @Test
    void requestsTomcatRefusesAfterTheRequestLineAndOverlongUrisAreProblemJson() throws Exception {
        assertProblem(get("/count?n=" + "1".repeat(5000)), 414, "urn:affectune:problem:uri-too-long");
        assertProblem(
                send("POST /json HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
                400,
                "urn:affectune:problem:malformed-request-body");
    }

    private RawHttp.Answer get(String path) throws Exception {
        return send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private RawHttp.Answer send(String request) throws Exception {
        return RawHttp.send(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }
}
