package io.affectune.support.timeouts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A client that sends part of a request, then nothing, and measures when the server hangs up. */
final class HalfSentRequests {

    private HalfSentRequests() {}

    /** Seconds from the last byte sent until the server closed the connection (fails after {@code giveUpSeconds}). */
    static double secondsUntilClosed(int port, String request, double giveUpSeconds) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) (giveUpSeconds * 1000));
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            long sent = System.nanoTime();
            drain(socket.getInputStream());
            return (System.nanoTime() - sent) / 1e9;
        }
    }

    /**
     * One whole request on a keep-alive connection, its answer read, then nothing: seconds until the server
     * closed the idle connection.
     */
    static double idleSecondsUntilClosed(int port, String path, double giveUpSeconds) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) (giveUpSeconds * 1000));
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[8192];
            int n = in.read(chunk);
            assertThat(new String(chunk, 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
            long answered = System.nanoTime();
            drain(in);
            return (System.nanoTime() - answered) / 1e9;
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] chunk = new byte[8192];
        try {
            while (in.read(chunk) >= 0) {
                // whatever the server says before it closes (a 408, say) does not matter here
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the server still holds the connection open", stillOpen);
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }
}
