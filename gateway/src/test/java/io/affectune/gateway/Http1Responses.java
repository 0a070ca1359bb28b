package io.affectune.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads HTTP/1.1 answers one at a time off a kept-alive (maybe pipelined) connection. */
final class Http1Responses {

    record Response(int status, String head, String body) {
        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return head.lines()
                    .filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim())
                    .findFirst()
                    .orElse(null);
        }
    }

    private Http1Responses() {}

    /** The next answer, or null when the server closed the connection before another one began. */
    static Response next(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed inside an answer's head: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        Response headOnly = new Response(Integer.parseInt(text.split(" ", 3)[1]), text.trim(), "");
        String length = headOnly.header("Content-Length");
        if (length == null) {
            throw new IOException("an answer without Content-Length: " + text);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length));
        return new Response(headOnly.status(), headOnly.head(), new String(body, StandardCharsets.UTF_8));
    }
}
