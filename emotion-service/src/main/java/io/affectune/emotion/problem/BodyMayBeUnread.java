package io.affectune.emotion.problem;

import org.springframework.web.server.ServerWebExchange;

/**
 * A refusal answered before the request body was read leaves the rest of that body on the
 * connection. Reactor Netty 1.2 can then stop reading a keep-alive connection for good when the
 * next request was already queued behind the refused one (reactor/reactor-netty#4361, #4347): the
 * client waits forever. Closing the connection after such a refusal costs one reconnect and
 * cannot hang. Only small bodies qualify: they have arrived whole, so the close is clean; closing
 * while a large upload is still arriving would reset the connection before the client reads the
 * answer (its 413), and large bodies are not the ones that queue up behind a quick refusal.
 */
final class BodyMayBeUnread {

    private BodyMayBeUnread() {
    }

    static final long SMALL_BODY_BYTES = 64 * 1024;

    static boolean of(ServerWebExchange exchange) {
        long length = exchange.getRequest().getHeaders().getContentLength();
        return length > 0 && length <= SMALL_BODY_BYTES;
    }
}
