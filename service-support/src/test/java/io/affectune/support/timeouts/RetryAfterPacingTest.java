package io.affectune.support.timeouts;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The pacing of a client that never backs off, on one connection (the service's answers come from a stand-in
 * that refuses everything with 503 + Retry-After: 1). While the service would still refuse, each early request is
 * held a whole Retry-After and answered with Retry-After: 1 again, never reaching the application; once the
 * service has room, the held answer says Retry-After: 0 and the next request goes through.
 */
class RetryAfterPacingTest {

    private final AtomicInteger reachedApplication = new AtomicInteger();
    private final AtomicBoolean busy = new AtomicBoolean(true);

    @Test
    void aClientThatNeverBacksOffGetsOneHeldAnswerPerRetryAfterWhileTheServiceStaysBusy() throws Exception {
        EmbeddedChannel channel =
                new EmbeddedChannel(new RetryAfterPacing.Pacer(null, null, head -> busy.get()), new Refuser());

        channel.writeInbound(request());
        assertThat(answer(channel).headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
        assertThat(reachedApplication).hasValue(1);

        channel.writeInbound(request()); // at once: held
        assertThat((Object) channel.readOutbound()).isNull();
        FullHttpResponse stillBusy = heldAnswer(channel);
        assertThat(stillBusy.status().code()).isEqualTo(503);
        assertThat(stillBusy.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
        assertThat(stillBusy.content().toString(StandardCharsets.UTF_8))
                .contains("retried-too-soon", "still busy", "\"retryAfterSeconds\":1");
        assertThat(reachedApplication)
                .as("the held request never reached the application")
                .hasValue(1);

        busy.set(false);
        channel.writeInbound(request()); // at once again: the connection is still paced
        FullHttpResponse room = heldAnswer(channel);
        assertThat(room.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("0");
        assertThat(reachedApplication).hasValue(1);

        channel.writeInbound(request()); // the pace was kept: handled normally
        answer(channel);
        assertThat(reachedApplication).hasValue(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void withoutAskingTheServiceTheHeldAnswerAlwaysSaysRetryAfterZero() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new RetryAfterPacing.Pacer(null, null, null), new Refuser());
        channel.writeInbound(request());
        answer(channel);
        channel.writeInbound(request());
        assertThat(heldAnswer(channel).headers().get(HttpHeaderNames.RETRY_AFTER))
                .isEqualTo("0");
        channel.writeInbound(request());
        answer(channel);
        assertThat(reachedApplication).hasValue(2);
        channel.finishAndReleaseAll();
    }

    private static HttpRequest request() {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/predictions", Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        return request;
    }

    private static FullHttpResponse answer(EmbeddedChannel channel) {
        Object out = channel.readOutbound();
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out;
    }

    /** Waits out the hold (the pacer's timer runs on the channel's event loop, driven here). */
    private static FullHttpResponse heldAnswer(EmbeddedChannel channel) throws InterruptedException {
        long until = System.nanoTime() + 3_000_000_000L;
        Object out;
        while ((out = channel.readOutbound()) == null && System.nanoTime() < until) {
            Thread.sleep(20);
            channel.runScheduledPendingTasks();
        }
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out;
    }

    /** The application: refuses every request it sees with 503 + Retry-After: 1. */
    private final class Refuser extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                reachedApplication.incrementAndGet();
                FullHttpResponse response = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.EMPTY_BUFFER);
                response.headers().set(HttpHeaderNames.RETRY_AFTER, "1").set(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(response);
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
