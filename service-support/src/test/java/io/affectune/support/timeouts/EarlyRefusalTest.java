package io.affectune.support.timeouts;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import reactor.netty.NettyPipeline;

/**
 * The request-head gate on a real Netty HTTP codec: a refused request is answered from its head alone (before its
 * body has arrived) with the problem+json and Retry-After the application would write, its body is dropped, and
 * the connection serves the next request; requests it cannot refuse safely (behind one still being answered, or
 * waiting for 100 Continue) reach the application.
 */
class EarlyRefusalTest {

    private final AtomicInteger refusals = new AtomicInteger();
    private final ProblemResolver answers =
            new ProblemResolver(List.of(), List.of(problem -> refusals.incrementAndGet()));
    private final EarlyRefusal gate = new EarlyRefusal(
            head -> head.uri().startsWith("/busy")
                    ? ApiProblem.unavailable("Busy", "the queue is too long", Duration.ofSeconds(2))
                            .type("queue-full")
                    : null,
            answers,
            Jackson2ObjectMapperBuilder.json().build());

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(NettyPipeline.HttpCodec, new HttpServerCodec());
        channel.pipeline().addLast(EarlyRefusal.HANDLER, gate.new Gatekeeper());
        return channel;
    }

    @Test
    void aRefusedRequestIsAnsweredFromItsHeadAndTheConnectionServesTheNext() {
        EmbeddedChannel channel = connection();
        send(channel, "POST /busy?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"); // the body is not sent yet

        String answer = written(channel);
        assertThat(answer)
                .startsWith("http/1.1 503 service unavailable\r\n")
                .contains("retry-after: 2", "content-type: application/problem+json")
                .contains("\"type\":\"urn:affectune:problem:queue-full\"", "\"instance\":\"/busy\"")
                .doesNotContain("connection: close");
        assertThat(refusals).hasValue(1);
        assertThat(requestsPassedOn(channel)).isEmpty();

        send(channel, "hello" + "GET /fine HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(requestsPassedOn(channel)).containsExactly("GET /fine");
        assertThat(channel.isActive()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void aChunkedBodyIsDroppedToItsEnd() {
        EmbeddedChannel channel = connection();
        send(channel, "POST /busy HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        assertThat(written(channel)).startsWith("http/1.1 503");
        send(channel, "3\r\nabc\r\n0\r\n\r\nGET /fine HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(requestsPassedOn(channel)).containsExactly("GET /fine");
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestBehindOneStillBeingAnsweredGoesToTheApplication() {
        EmbeddedChannel channel = connection();
        send(
                channel,
                "GET /fine HTTP/1.1\r\nHost: a\r\n\r\nPOST /busy HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        // pipelined: an early answer would overtake the first one's
        assertThat(requestsPassedOn(channel)).containsExactly("GET /fine", "POST /busy");
        assertThat(written(channel)).isEmpty();

        // once both are answered, the connection is gated again
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        written(channel);
        send(channel, "POST /busy HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        assertThat(written(channel)).startsWith("http/1.1 503");
        assertThat(requestsPassedOn(channel)).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestWaitingFor100ContinueGoesToTheApplication() {
        EmbeddedChannel channel = connection();
        send(channel, "POST /busy HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        assertThat(requestsPassedOn(channel)).containsExactly("POST /busy");
        assertThat(written(channel)).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void http10IsAnsweredAndClosed() {
        EmbeddedChannel channel = connection();
        send(channel, "POST /busy HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
        assertThat(written(channel)).startsWith("http/1.1 503").contains("connection: close");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    /** Reactor Netty reads on demand: a refused request, which it never sees, must not leave the connection unread. */
    @Test
    void onAConnectionReadOnDemandTheGateAsksForTheNextRead() {
        AtomicInteger reads = new AtomicInteger();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads.incrementAndGet();
                ctx.read();
            }
        });
        channel.pipeline().addLast(NettyPipeline.HttpCodec, new HttpServerCodec());
        channel.pipeline().addLast(EarlyRefusal.HANDLER, gate.new Gatekeeper());
        send(channel, "POST /busy HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
        assertThat(written(channel)).startsWith("http/1.1 503");
        int afterHead = reads.get();
        assertThat(afterHead).isPositive();
        send(channel, "hello");
        assertThat(reads.get()).isGreaterThan(afterHead);
        channel.finishAndReleaseAll();
    }

    private static void send(EmbeddedChannel channel, String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    /** Everything written to the client so far, as lower-case text (header names' case is not the point). */
    private static String written(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof ByteBuf buffer) {
                text.append(buffer.toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(out);
        }
        return text.toString().toLowerCase(Locale.ROOT);
    }

    /** The requests handed on to the application ("METHOD uri" without the query); their bodies released. */
    private static List<String> requestsPassedOn(EmbeddedChannel channel) {
        List<String> requests = new ArrayList<>();
        Object in;
        while ((in = channel.readInbound()) != null) {
            if (in instanceof HttpRequest request) {
                requests.add(request.method() + " " + request.uri().split("\\?")[0]);
            }
            ReferenceCountUtil.release(in);
        }
        return requests;
    }
}
