package io.affectune.emotion.problem;

import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * A refusal answered before the request body was read leaves the rest of that body on the
 * connection. Reactor Netty 1.2 can then stop reading a keep-alive connection for good when the
 * next request was already queued behind the refused one (reactor/reactor-netty#4361, #4347): the
 * client waits forever. Closing the connection after such a refusal costs one reconnect and
 * cannot hang.
 */
final class BodyMayBeUnread {

    private BodyMayBeUnread() {
    }

    static boolean of(ServerWebExchange exchange) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        return headers.getContentLength() > 0 || headers.containsKey(HttpHeaders.TRANSFER_ENCODING);
    }
}
