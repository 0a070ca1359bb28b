package io.affectune.support.timeouts;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/** What the per-connection Netty handlers of this package share: where they go, and how they see an upgrade. */
final class PerConnectionHandlers {

    private PerConnectionHandlers() {}

    /** The server with a new {@code handler} right after the HTTP codec of every HTTP connection, once. */
    static HttpServer afterHttpCodec(HttpServer server, String name, Supplier<ChannelHandler> handler) {
        return server.doOnChannelInit((observer, channel, address) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null
                    && channel.pipeline().get(name) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, name, handler.get());
            }
        });
    }

    /** Whether a written message is the 101 answer after which the connection is a WebSocket. */
    static boolean switchesProtocols(Object written) {
        return written instanceof HttpResponse response
                && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    }
}
