package io.affectune.testsupport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One persistent HTTP/1.1 connection that sends a request and reads its answer on the calling
 * thread, like wrk or h2load do. The benchmark uses it because the client shares this machine's
 * two cores with the service: the JDK HttpClient hands every exchange between its selector and
 * executor threads, and that client-side work (about 1.5 ms per request at concurrency 1 here,
 * and a third of the CPU at concurrency 16) would be billed to the service. Not thread-safe: one
 * connection per client thread.
 */
public final class KeepAliveConnection implements Closeable {

    /** Status, body and headers (names in lower case) of one answer. */
    public record Answer(int status, String body, Map<String, String> headers) {

        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    public KeepAliveConnection(String baseUrl) throws IOException {
        URI uri = URI.create(baseUrl);
        this.host = uri.getHost() + ":" + uri.getPort();
        this.socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    public Answer post(String path, String contentType, byte[] body) throws IOException {
        return post(path, contentType, body, List.of());
    }

    /** @param extraHeaders whole header lines ("Name: value") */
    public Answer post(String path, String contentType, byte[] body, List<String> extraHeaders) throws IOException {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: "
                + contentType + "\r\nContent-Length: " + body.length + "\r\n");
        extraHeaders.forEach(line -> head.append(line).append("\r\n"));
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return readAnswer();
    }

    private Answer readAnswer() throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x answer: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase();
            headers.put(name, line.substring(colon + 1).trim());
            String value = line.substring(colon + 1).trim().toLowerCase();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close");
                default -> {}
            }
        }
        byte[] body;
        if (chunked) {
            body = readChunked();
        } else if (contentLength >= 0) {
            body = readExactly(contentLength);
        } else {
            throw new IOException("answer " + status + " has neither Content-Length nor chunked encoding");
        }
        if (close) {
            socket.close();
        }
        return new Answer(status, new String(body, StandardCharsets.UTF_8), headers);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers are not used here
                }
                return body.toByteArray();
            }
            body.writeBytes(readExactly(size));
            readLine();
        }
    }

    private byte[] readExactly(long length) throws IOException {
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length != length) {
            throw new IOException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed mid-answer");
            }
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
