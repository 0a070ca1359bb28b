package io.affectune.support.timeouts;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import reactor.netty.http.server.HttpServer;

/**
 * Makes a service's {@code Retry-After} hold for clients that ignore it. Under overload a service refuses at once
 * (503 + Retry-After), which is cheap for one refusal but not for a client that retries the moment its 503
 * arrives: thousands of refusals a second take the cores the admitted work needed (the reliability suite measured
 * goodput falling to a fifth of capacity on two cores). This handler remembers, per keep-alive connection, until
 * when its last 429/503 asked it to wait; a request that comes on that connection sooner is not handed to the
 * application at all. Its body is read and dropped, and at the Retry-After time (a timer on the event loop: no
 * thread and no CPU while it waits) it is answered with the same status and a problem+json {@code retried-too-soon}.
 * That answer says {@code Retry-After: 0}, and the next request on the connection is handled normally, unless the
 * service says it would still refuse the held request at that moment ({@code stillRefused}): then the answer
 * carries the original Retry-After again and the connection stays paced. So a client that never backs off gets
 * one answer per Retry-After period while the service stays busy (all of them held, none reaching the
 * application), and a real chance as soon as it is not; a client that honours Retry-After never notices the
 * handler.
 *
 * <p>The state is per connection, never per address (many honest clients share one address behind a NAT, or
 * 127.0.0.1 in tests). Not paced: requests that came through a proxy ({@code Forwarded} / {@code X-Forwarded-For}:
 * the proxy's connections carry many clients, and the gateway limits each client itself), and requests that say
 * {@code Expect: 100-continue}. A request carrying the caller's deadline header is answered by its deadline at the
 * latest. A client that opens a new connection for every request is not paced either (it pays a TCP handshake per
 * request instead); the gateway's per-client rate limit is the defence against those.
 */
public class RetryAfterPacing implements NettyServerCustomizer {

    static final String HANDLER = "affectune.retryAfterPacing";
    /** Room for timers and rounding: a client that waited its Retry-After is never held. */
    static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest a request is held, whatever the Retry-After: well inside the idle timeout of a connection. */
    static final long MAX_HOLD_SECONDS = 10;

    /** Told of every request answered by the pacing (for a metric). */
    @FunctionalInterface
    public interface Listener {
        void paced(Duration held);
    }

    private final String deadlineHeader;
    private final Listener listener;
    private final Predicate<HttpRequest> stillRefused;

    /**
     * @param deadlineHeader a request header with the milliseconds its caller still waits (or null): a held
     *                       request is answered by then
     */
    public RetryAfterPacing(String deadlineHeader, Listener listener) {
        this(deadlineHeader, listener, null);
    }

    /**
     * @param stillRefused whether the service would refuse a held request at the moment its hold ends (called on
     *                     the event loop: quick, never blocking); null = never asked, the answer is always
     *                     {@code Retry-After: 0}
     */
    public RetryAfterPacing(String deadlineHeader, Listener listener, Predicate<HttpRequest> stillRefused) {
        this.deadlineHeader = deadlineHeader;
        this.listener = listener;
        this.stillRefused = stillRefused;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return PerConnectionHandlers.afterHttpCodec(
                server, HANDLER, () -> new Pacer(deadlineHeader, listener, stillRefused));
    }

    /** One per connection: the Retry-After of its last refusal, and the request held because of it. */
    static final class Pacer extends ChannelDuplexHandler {
        private final String deadlineHeader;
        private final Listener listener;
        private final Predicate<HttpRequest> stillRefused;
        /** System.nanoTime() before which the connection should not have asked again; 0 = none. */
        private long notBefore;
        /** The status of that refusal (429 or 503): a held request is answered with it. */
        private int refusedWith;
        /** Its Retry-After in seconds: repeated when the service would still refuse once the hold ends. */
        private long refusedForSeconds;
        /** The held request waits for the Retry-After itself (not only for its caller's shorter deadline). */
        private boolean heldForRetryAfter;

        private HttpRequest held;
        private long heldSince;
        private long answerAt;
        private boolean heldWhole;
        private ScheduledFuture<?> timer;
        /** Whatever the client sent after the held request (pipelining): handed on after its answer. */
        private final ArrayDeque<Object> behind = new ArrayDeque<>();

        Pacer(String deadlineHeader, Listener listener, Predicate<HttpRequest> stillRefused) {
            this.deadlineHeader = deadlineHeader;
            this.listener = listener;
            this.stillRefused = stillRefused;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (held != null) {
                if (heldWhole) {
                    behind.add(msg);
                    return;
                }
                ReferenceCountUtil.release(msg); // the held request's body: not wanted
                if (msg instanceof LastHttpContent) {
                    heldWhole = true;
                    ctx.channel().config().setAutoRead(false);
                    schedule(ctx);
                }
                return;
            }
            if (msg instanceof HttpRequest request && notBefore != 0) {
                long now = System.nanoTime();
                if (now - notBefore < 0 && paced(request)) {
                    held = request;
                    heldSince = now;
                    answerAt = Math.min(notBefore, deadline(request, now));
                    heldForRetryAfter = answerAt == notBefore;
                    notBefore = 0;
                    heldWhole = msg instanceof LastHttpContent;
                    ReferenceCountUtil.release(msg);
                    if (heldWhole) {
                        ctx.channel().config().setAutoRead(false);
                        schedule(ctx);
                    }
                    return;
                }
                notBefore = 0;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response) {
                int status = response.status().code();
                long seconds = (status == 503 || status == 429) ? retryAfterSeconds(response) : 0;
                notBefore =
                        seconds > 0 ? nonZero(System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) - SLACK_NANOS) : 0;
                refusedWith = status;
                refusedForSeconds = seconds;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (timer != null) {
                timer.cancel(false);
            }
            held = null;
            Object left;
            while ((left = behind.poll()) != null) {
                ReferenceCountUtil.release(left);
            }
            super.channelInactive(ctx);
        }

        private boolean paced(HttpRequest request) {
            var headers = request.headers();
            return !headers.contains("Forwarded")
                    && !headers.contains("X-Forwarded-For")
                    && !HttpUtil.is100ContinueExpected(request);
        }

        private long deadline(HttpRequest request, long now) {
            if (deadlineHeader != null) {
                String value = request.headers().get(deadlineHeader);
                if (value != null) {
                    try {
                        long millis = Long.parseLong(value.trim());
                        if (millis >= 0) {
                            return now + TimeUnit.MILLISECONDS.toNanos(millis);
                        }
                    } catch (NumberFormatException e) {
                        // not a deadline: the application will say so once the request reaches it
                    }
                }
            }
            return Long.MAX_VALUE;
        }

        private void schedule(ChannelHandlerContext ctx) {
            long delay = Math.max(0, answerAt - System.nanoTime());
            timer = ctx.executor().schedule(() -> answer(ctx), delay, TimeUnit.NANOSECONDS);
        }

        private void answer(ChannelHandlerContext ctx) {
            HttpRequest request = held;
            if (request == null || !ctx.channel().isActive()) {
                return;
            }
            held = null;
            timer = null;
            long now = System.nanoTime();
            long heldNanos = now - heldSince;
            long again =
                    heldForRetryAfter && stillRefused != null && stillRefused.test(request) ? refusedForSeconds : 0;
            NettyProblemAnswers.send(
                    ctx,
                    request,
                    HttpResponseStatus.valueOf(refusedWith),
                    refusal(request, refusedWith, again),
                    headers -> headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(again)));
            if (again > 0) {
                notBefore = nonZero(now + TimeUnit.SECONDS.toNanos(again) - SLACK_NANOS);
            }
            if (listener != null) {
                listener.paced(Duration.ofNanos(heldNanos));
            }
            ctx.channel().config().setAutoRead(true);
            Object next;
            while (held == null && (next = behind.poll()) != null) {
                channelRead(ctx, next);
            }
            if (held == null) {
                ctx.read();
            }
        }

        private static byte[] refusal(HttpRequest request, int status, long retryAfterSeconds) {
            String uri = request.uri();
            int query = uri.indexOf('?');
            String path =
                    (query >= 0 ? uri.substring(0, query) : uri).replaceAll("[^A-Za-z0-9/._~%!$&'()*+,;=:@-]", "?");
            return ("{\"type\":\"urn:affectune:problem:retried-too-soon\",\"title\":\"Retried too soon\","
                            + "\"status\":" + status
                            + ",\"detail\":\"This connection was refused with Retry-After and asked again "
                            + "before that time; this answer was held until then"
                            + (retryAfterSeconds > 0 ? ", and the service is still busy" : "")
                            + ". Wait the Retry-After of a 503 before asking again.\",\"instance\":\"" + path
                            + "\",\"retryAfterSeconds\":" + retryAfterSeconds + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }

        private static long retryAfterSeconds(HttpResponse response) {
            String value = response.headers().get(HttpHeaderNames.RETRY_AFTER);
            if (value == null) {
                return 0;
            }
            try {
                return Math.min(Long.parseLong(value.trim()), MAX_HOLD_SECONDS);
            } catch (NumberFormatException httpDate) {
                return 0;
            }
        }

        private static long nonZero(long nanos) {
            return nanos == 0 ? 1 : nanos;
        }
    }
}
