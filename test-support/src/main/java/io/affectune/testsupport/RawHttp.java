package io.affectune.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request written byte for byte on a socket, for the bad inputs that HTTP clients refuse to
 * send (a Content-Type of "%%%", say) but an attacker's script sends anyway.
 */
public final class RawHttp {

    private RawHttp() {}

    /** The whole answer: status line, headers and body. */
    public record Answer(int status, String head, String body) {

        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return head.lines()
                    .filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim())
                    .findFirst()
                    .orElse(null);
        }
    }

    /**
     * Everything the server sent. A server that answers before reading the whole body and closes the
     * connection makes the kernel reset it; what had arrived until then is the answer.
     */
    private static byte[] readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; (n = socket.getInputStream().read(chunk)) > 0; ) {
                received.write(chunk, 0, n);
            }
        } catch (SocketException reset) {
            if (received.size() == 0) {
                throw reset;
            }
        }
        return received.toByteArray();
    }

    public static Answer post(int port, String path, String contentType, byte[] body) throws IOException {
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] request = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, request, 0, head.length());
        System.arraycopy(body, 0, request, head.length(), body.length);
        return send(port, request);
    }

    /** Any bytes at all as the request (an over-long request line, garbage instead of HTTP); the answer. */
    public static Answer send(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request);
            String answer = new String(readUntilClosed(socket), StandardCharsets.UTF_8);
            int split = answer.indexOf("\r\n\r\n");
            String answerHead = split < 0 ? answer : answer.substring(0, split);
            String[] statusLine = answerHead.split(" ", 3);
            return new Answer(
                    Integer.parseInt(statusLine[1]), answerHead, split < 0 ? "" : answer.substring(split + 4));
        }
    }
}
