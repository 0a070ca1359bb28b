package io.affectune.support.timeouts;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import reactor.netty.http.server.HttpServer;

/**
 * Keeps a keep-alive connection reading after every answer. Reactor Netty 1.2 (up to 1.2.18 at least, the newest
 * served for Spring Boot 3.5) reads a connection only on demand, and one path forgets to ask: a request that
 * arrives while the previous one is still finishing is buffered, and when it is then answered at once (a GET of a
 * small resource, a 404) the connection is never read again (reactor/reactor-netty#4361, fixed upstream after
 * 1.2.18). The client's next request then waits unread until the client gives up, and since the idle timeout is
 * not armed either, the connection is never closed. Measured on emotion-service: a prediction, a GET and a second
 * prediction on one connection stalled the second prediction 20 times in 20; a client alternating GET and POST
 * stalled within 5 to 85 requests. Here every answer's end is followed by a read request, a task on the event loop
 * after the one that wrote it, so after Reactor Netty's own bookkeeping of the answer. Asking for a read that is already pending
 * costs nothing (Netty keeps one pending read), and a read never bypasses Reactor Netty: what arrives goes through
 * its handlers as any request does (a request arriving early is buffered there, as pipelining is).
 */
public class KeepAliveReads implements NettyServerCustomizer {

    static final String HANDLER = "affectune.keepAliveReads";

    @Override
    public HttpServer apply(HttpServer server) {
        return PerConnectionHandlers.afterHttpCodec(server, HANDLER, ReadAfterAnswer::new);
    }

    /** One per connection. */
    static final class ReadAfterAnswer extends ChannelDuplexHandler {
        /** A WebSocket took the connection over: its reads follow its own demand. */
        private boolean upgraded;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (PerConnectionHandlers.switchesProtocols(msg)) {
                upgraded = true;
            }
            ctx.write(msg, promise);
            if (msg instanceof LastHttpContent && !upgraded) {
                // a task after the one writing the answer: Reactor Netty's own bookkeeping of it comes first
                ctx.executor().execute(() -> {
                    if (ctx.channel().isActive()
                            && !upgraded
                            && !ctx.channel().config().isAutoRead()) {
                        ctx.read();
                    }
                });
            }
        }
    }
}
