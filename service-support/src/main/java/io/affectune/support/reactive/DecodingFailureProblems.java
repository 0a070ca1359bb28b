package io.affectune.support.reactive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.Problems;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.http.HttpStatus;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Requests that Netty cannot even parse (a request line over 4 KB, headers over the limit, garbage instead
 * of HTTP) never reach Spring: Reactor Netty answers them itself with an empty 400, 414 or 431. Nor do
 * requests whose URI is not a URI (a broken %-escape: Spring answers an empty 400) or whose method no service
 * serves (TRACE, CONNECT). This puts a handler right after the HTTP codec that answers all of them as
 * problem+json instead, with the same statuses, and closes the connection.
 */
public class DecodingFailureProblems implements NettyServerCustomizer {

    static final String HANDLER = "affectune.decodingFailureProblems";

    private final ObjectMapper json;

    public DecodingFailureProblems(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, address) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null
                    && channel.pipeline().get(HANDLER) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, HANDLER, new Handler(json));
            }
        });
    }

    static ApiProblem problemFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new ApiProblem(
                    HttpStatus.URI_TOO_LONG,
                    "URI too long",
                    "The request line is longer than the server accepts; shorten the URI or its query string.");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new ApiProblem(
                    HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "Request headers too large",
                    "The request headers are larger than the server accepts; send fewer or shorter headers (cookies).");
        }
        return ApiProblem.badRequest("The request is not valid HTTP/1.1 ("
                        + (cause == null ? "unparseable" : Problems.quote(String.valueOf(cause.getMessage()))) + ").")
                .type("malformed-request");
    }

    /** A request Spring would answer without a body, or that no service serves; null for the rest. */
    static ApiProblem refusal(HttpRequest request) {
        if (HttpMethod.TRACE.equals(request.method()) || HttpMethod.CONNECT.equals(request.method())) {
            return new ApiProblem(
                    HttpStatus.METHOD_NOT_ALLOWED,
                    "Method not allowed",
                    request.method().name() + " is not served here.");
        }
        try {
            new URI(request.uri());
            return null;
        } catch (URISyntaxException e) {
            return ApiProblem.badRequest(
                            "The request target is not a valid URI (" + Problems.quote(e.getReason()) + " at index "
                                    + e.getIndex() + "): %-escape reserved characters and use %XX with two hex digits.")
                    .type("malformed-request");
        }
    }

    private static final class Handler extends ChannelDuplexHandler {
        private final ObjectMapper json;
        private boolean failed;

        Handler(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (failed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            DecoderResult result = msg instanceof HttpObject http ? http.decoderResult() : DecoderResult.SUCCESS;
            ApiProblem problem = result.isFailure()
                    ? problemFor(result.cause())
                    : msg instanceof HttpRequest request ? refusal(request) : null;
            if (problem == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            failed = true;
            ReferenceCountUtil.release(msg);
            byte[] body;
            try {
                body = json.writeValueAsBytes(Problems.asMap(problem, null));
            } catch (JsonProcessingException e) {
                body = ("{\"status\":" + problem.status().value() + "}").getBytes(StandardCharsets.UTF_8);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(problem.status().value()),
                    Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
