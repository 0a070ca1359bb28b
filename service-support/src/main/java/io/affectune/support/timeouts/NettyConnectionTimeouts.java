package io.affectune.support.timeouts;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import io.affectune.support.problem.ProblemResolver;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.ReadTimeoutException;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.http.HttpStatus;
import reactor.netty.NettyPipeline;
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

    static final String HANDLER = "affectune.upgradedConnections";

    @Override
    public HttpServer apply(HttpServer server) {
        return PerConnectionHandlers.afterHttpCodec(
                server.idleTimeout(timeouts.nettyIdle()).readTimeout(timeouts.read()),
                HANDLER,
                UpgradedConnections::new);
    }

    /**
     * Reactor Netty 1.2 leaves its request timers on a connection that a WebSocket upgrade took over (the upgrade
     * request never sees its end as HTTP), and they would close a WebSocket that is quiet for longer than the read
     * timeout. Once the 101 answer is written, the connection is a WebSocket: this takes the timers off.
     */
    static final class UpgradedConnections extends ChannelDuplexHandler {
        private boolean upgraded;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (PerConnectionHandlers.switchesProtocols(msg)) {
                upgraded = true;
                ChannelPipeline pipeline = ctx.pipeline();
                promise.addListener(written -> {
                    removeTimers(pipeline);
                    ctx.executor().execute(() -> removeTimers(pipeline));
                });
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (upgraded) {
                removeTimers(ctx.pipeline());
            }
            ctx.fireChannelRead(msg);
        }

        private static void removeTimers(ChannelPipeline pipeline) {
            for (String name : new String[] {NettyPipeline.IdleTimeoutHandler, NettyPipeline.ReadTimeoutHandler}) {
                if (pipeline.get(name) != null) {
                    try {
                        pipeline.remove(name);
                    } catch (java.util.NoSuchElementException alreadyGone) {
                        // removed meanwhile
                    }
                }
            }
        }
    }

    /**
     * A body that stopped arriving is the client's fault: 408 (logged at DEBUG like every client error), not an
     * internal error. The connection is closed anyway, so the client rarely sees it.
     */
    public static ProblemMapper requestTimeouts() {
        return error -> ProblemResolver.find(error, ReadTimeoutException.class) == null
                ? null
                : new ApiProblem(
                        HttpStatus.REQUEST_TIMEOUT,
                        "Request timeout",
                        "The request body stopped arriving; send it whole without long pauses.");
    }
}
