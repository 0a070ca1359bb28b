package io.affectune.support.timeouts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ProblemResolver;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.UncheckedIOException;
import java.util.function.Function;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Refuses a request from its head alone, before any of it reaches the application. Under overload a service's
 * refusal (503 + Retry-After) is cheap next to the work it sheds, but not free once the request has gone through
 * the web stack: its body is read, a handler is found, an exception is turned into problem+json, the request is
 * observed and traced. At five times a service's capacity there are more refusals than answers, and that cost
 * comes out of the cores the admitted work needs. Here the service's {@code gate} looks at the head (method, URI,
 * headers) and names the refusal; it is answered at once, with the same problem+json and headers the application
 * would have written (the shared {@link ProblemResolver}, which also counts it), and the body, when it comes, is
 * read and dropped. The connection stays open for the next request.
 *
 * <p>Only a request that is alone on its connection is refused here (with pipelined requests still being answered
 * behind it, an early answer would overtake theirs), and never one that waits for {@code 100 Continue}; those go
 * to the application, which refuses them the usual way. Placed after {@link RetryAfterPacing} when the service
 * has both, so that a client retrying too soon is still held, and a refusal written here sets the pace.
 */
public class EarlyRefusal implements NettyServerCustomizer {

    static final String HANDLER = "affectune.earlyRefusal";

    private final Function<HttpRequest, Throwable> gate;
    private final ProblemResolver answers;
    private final ObjectMapper json;

    /**
     * @param gate    the refusal of a request head (the exception the application would have thrown), or null to
     *                let the request through; called on the event loop, so it must be quick and never block
     * @param answers turns the refusal into the service's problem+json answer
     */
    public EarlyRefusal(Function<HttpRequest, Throwable> gate, ProblemResolver answers, ObjectMapper json) {
        this.gate = gate;
        this.answers = answers;
        this.json = json;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, address) -> {
            var pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(HANDLER) == null) {
                String after = pipeline.get(RetryAfterPacing.HANDLER) != null
                        ? RetryAfterPacing.HANDLER
                        : NettyPipeline.HttpCodec;
                pipeline.addAfter(after, HANDLER, new Gatekeeper());
            }
        });
    }

    /** One per connection. */
    final class Gatekeeper extends ChannelDuplexHandler {
        /** Requests handed to the application whose answer has not been written whole yet. */
        private int inFlight;
        /** The body of a refused request is still arriving: dropped. */
        private boolean dropping;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (dropping) {
                dropping = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                readOn(ctx);
                return;
            }
            if (msg instanceof HttpRequest request) {
                Throwable refusal =
                        inFlight == 0 && request.decoderResult().isSuccess() && !HttpUtil.is100ContinueExpected(request)
                                ? gate.apply(request)
                                : null;
                if (refusal != null) {
                    dropping = !(msg instanceof LastHttpContent);
                    ReferenceCountUtil.release(msg);
                    refuse(ctx, request, refusal);
                    readOn(ctx);
                    return;
                }
                inFlight++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent && inFlight > 0) {
                inFlight--;
            }
            ctx.write(msg, promise);
        }

        /**
         * Reactor Netty reads a connection on demand (no auto-read while it serves a request); a message that
         * never reaches it makes no demand, so ask for the next read here, or the connection would stall.
         */
        private void readOn(ChannelHandlerContext ctx) {
            if (!ctx.channel().config().isAutoRead()) {
                ctx.read();
            }
        }

        private void refuse(ChannelHandlerContext ctx, HttpRequest request, Throwable refusal) {
            String uri = request.uri();
            int query = uri.indexOf('?');
            ProblemResolver.Answer answer =
                    answers.resolve(refusal, request.method().name(), query >= 0 ? uri.substring(0, query) : uri);
            byte[] body;
            try {
                body = json.writeValueAsBytes(answer.body());
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            NettyProblemAnswers.send(
                    ctx,
                    request,
                    HttpResponseStatus.valueOf(answer.body().getStatus()),
                    body,
                    headers -> answer.headers().forEach(headers::set));
        }
    }
}
