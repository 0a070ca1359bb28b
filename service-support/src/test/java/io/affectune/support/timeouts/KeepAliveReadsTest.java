package io.affectune.support.timeouts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Requests on one keep-alive connection are all answered, whatever their order (reactor/reactor-netty#4361: after
 * a request that arrived while the previous answer was finishing and was answered at once, the connection was not
 * read again). The real Netty server of {@link NettyConnectionTimeoutsTest}, with the services' customizers.
 */
@SpringBootTest(
        classes = NettyConnectionTimeoutsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class KeepAliveReadsTest {

    @Value("${local.server.port}")
    int port;

    @Test
    void aRequestAfterAPipelinedQuickAnswerIsRead() throws IOException {
        for (int trial = 0; trial < 20; trial++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5000);
                InputStream in = socket.getInputStream();
                // the GET arrives while /later is still being answered: buffered, then answered at once
                socket.getOutputStream()
                        .write(bytes(post("/later", "first") + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
                assertThat(readAnswer(in)).isEqualTo("later first");
                assertThat(readAnswer(in)).isEqualTo("hello");
                long start = System.nanoTime();
                socket.getOutputStream().write(bytes(post("/echo", "second")));
                assertThat(readAnswer(in)).as("trial %d", trial).isEqualTo("second");
                assertThat((System.nanoTime() - start) / 1e9).isLessThan(2.0);
            }
        }
    }

    @Test
    void aClientAlternatingGetsAndSlowerPostsIsAnsweredEveryTime() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 100; i++) {
                socket.getOutputStream().write(bytes("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
                assertThat(readAnswer(in)).isEqualTo("hello");
                socket.getOutputStream().write(bytes(post("/later", "n" + i)));
                assertThat(readAnswer(in)).as("request %d", i).isEqualTo("later n" + i);
            }
        }
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The body of the next answer on the connection (Content-Length framed); a stalled connection times out. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before an answer");
            }
            head.write(b);
        }
        int length = head.toString(StandardCharsets.US_ASCII)
                .lines()
                .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                .map(l ->
                        Integer.parseInt(l.substring("content-length:".length()).trim()))
                .findFirst()
                .orElseThrow(() -> new IOException("no Content-Length in " + head));
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
