package io.affectune.gateway.problem;

import io.netty.channel.ChannelOption;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * Spring Cloud Gateway accepts a WebSocket upgrade from the browser first and only then connects to the service;
 * a service that is down then shows up as a WebSocket that opens and drops at once, which a client cannot tell
 * from a network fault. This connects to the service (TCP, with the downstream connect timeout) before the
 * upgrade, so a service that cannot be reached gets the same answer as on any other route: HTTP 503 problem+json
 * with Retry-After and the service's name ({@link DownstreamProblems} writes it), and no upgrade.
 */
public class WebSocketAvailability implements GlobalFilter, Ordered {

    private final Duration connectTimeout;

    public WebSocketAvailability(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        URI target = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
        if (target == null
                || !"websocket"
                        .equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            return chain.filter(exchange);
        }
        boolean secure = "https".equalsIgnoreCase(target.getScheme()) || "wss".equalsIgnoreCase(target.getScheme());
        int port = target.getPort() > 0 ? target.getPort() : secure ? 443 : 80;
        return TcpClient.newConnection()
                .host(target.getHost())
                .port(port)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .connect()
                .onErrorMap(error -> !(error instanceof ConnectException), error -> (Throwable)
                        new ConnectException("cannot connect to " + target.getHost() + ":" + port + " (" + error + ")"))
                .doOnNext(Connection::dispose)
                .publishOn(eventLoopOf(exchange))
                .then(chain.filter(exchange));
    }

    /**
     * The probe's answer arrives on the TCP client's event loop, not on the one that serves the browser's
     * connection. The upgrade that follows (WebsocketRoutingFilter) has to run on the connection's own loop, as
     * every other step of the exchange does: started from another thread, about one WebSocket in twenty was
     * upgraded but never relayed (measured: 19 of 300 round trips through the gateway hung, 0 of 300 with this).
     */
    private static Scheduler eventLoopOf(ServerWebExchange exchange) {
        return ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof Connection connection
                ? Schedulers.fromExecutor(connection.channel().eventLoop())
                : Schedulers.immediate();
    }

    /** After the request URL is known (RouteToRequestUrlFilter), before the upgrade (WebsocketRoutingFilter). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 2; // WebsocketRoutingFilter: LOWEST_PRECEDENCE - 1
    }
}
