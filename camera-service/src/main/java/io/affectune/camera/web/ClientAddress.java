package io.affectune.camera.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Who a request comes from, for per-client limits. Behind the gateway every request arrives from the
 * gateway's address, so the client named first in X-Forwarded-For is taken, but only from a peer on
 * loopback or a private network (the gateway, a proxy in the same deployment): anyone else could name any
 * address in that header.
 */
public final class ClientAddress {

    private ClientAddress() {}

    public static String of(ServerHttpRequest request) {
        return of(request.getRemoteAddress(), request.getHeaders());
    }

    public static String of(InetSocketAddress remote, HttpHeaders headers) {
        InetAddress peer = remote == null ? null : remote.getAddress();
        String direct = peer == null ? "unknown" : peer.getHostAddress();
        String forwarded = headers.getFirst("X-Forwarded-For");
        if (forwarded != null && peer != null && (peer.isLoopbackAddress() || peer.isSiteLocalAddress())) {
            String first = forwarded.split(",", 2)[0].trim();
            if (!first.isEmpty() && first.length() <= 64) {
                return first;
            }
        }
        return direct;
    }
}
