package io.affectune.support.timeouts;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import io.affectune.support.problem.ProblemResolver;
import io.netty.handler.timeout.ReadTimeoutException;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.http.HttpStatus;
import reactor.netty.http.server.HttpServer;

/**
 * Reactor Netty keeps a connection open for as long as a client likes by default, also one that sent half a
 * request and stopped. This closes it: {@code idleTimeout} runs while the server waits for a request head (after
 * the connect, between keep-alive requests), {@code readTimeout} between the reads of a request body. Neither
 * runs once a request has arrived whole, so a long answer (server-sent events, an MJPEG stream) or a WebSocket
 * (its upgrade request has no body) is not cut by them.
 */
public class NettyConnectionTimeouts implements NettyServerCustomizer {

    private final ConnectionTimeouts timeouts;

    public NettyConnectionTimeouts(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.idleTimeout(timeouts.nettyIdle()).readTimeout(timeouts.read());
    }

    /**
     * A body that stopped arriving is the client's fault: 408 (logged at DEBUG like every client error), not an
     * internal error. The connection is closed anyway, so the client rarely sees it.
     */
    public static ProblemMapper requestTimeouts() {
        return error -> ProblemResolver.find(error, ReadTimeoutException.class) == null ? null
                : new ApiProblem(HttpStatus.REQUEST_TIMEOUT, "Request timeout",
                        "The request body stopped arriving; send it whole without long pauses.");
    }
}
