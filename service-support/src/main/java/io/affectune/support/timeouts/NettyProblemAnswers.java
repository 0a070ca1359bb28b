package io.affectune.support.timeouts;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.Consumer;

/**
 * A whole problem+json answer written by one of our Netty handlers for a request the application never sees
 * ({@link RetryAfterPacing}, {@link EarlyRefusal}): the connection stays open when the request keeps it alive,
 * else the answer says {@code Connection: close} and the connection is closed once it is written.
 */
final class NettyProblemAnswers {

    private NettyProblemAnswers() {}

    static void send(
            ChannelHandlerContext ctx,
            HttpRequest request,
            HttpResponseStatus status,
            byte[] problemJson,
            Consumer<HttpHeaders> headers) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(problemJson));
        headers.accept(response.headers());
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                .set(HttpHeaderNames.CONTENT_LENGTH, problemJson.length);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
