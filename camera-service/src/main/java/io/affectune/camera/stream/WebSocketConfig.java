package io.affectune.camera.stream;

import io.affectune.camera.config.CameraProperties;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.WebsocketServerSpec;

@Configuration(proxyBeanMethods = false)
public class WebSocketConfig {

    @Bean
    HandlerMapping frameStreamMapping(FrameStreamHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of("/api/v1/sessions/*/stream", handler), -1);
    }

    /** Messages over the limit make Netty close the socket with 1009 (message too big). */
    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(CameraProperties properties, ObservationRegistry observations) {
        WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength(properties.limits().maxWsMessageBytes());
        return new WebSocketHandlerAdapter(new HandshakeTraced(
                new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(() -> spec)), observations));
    }

    /**
     * Hands the handshake request's observation (its span when tracing is on) to the WebSocket handler's Reactor
     * context. Reactor Netty runs the handler after the upgrade outside the request's context, so without this
     * every frame would start a trace of its own; with it, {@link FrameStreamHandler} makes each frame a child of
     * the handshake, in the trace the client or the gateway opened the WebSocket in.
     */
    record HandshakeTraced(WebSocketService delegate, ObservationRegistry observations) implements WebSocketService {

        @Override
        public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
            return Mono.deferContextual(context -> {
                // the request's Reactor context holds it; the thread's current observation is the same one here
                Observation handshake =
                        context.getOrDefault(ObservationThreadLocalAccessor.KEY, observations.getCurrentObservation());
                if (handshake == null) {
                    return delegate.handleRequest(exchange, handler);
                }
                return delegate.handleRequest(exchange, new WebSocketHandler() {
                    @Override
                    public List<String> getSubProtocols() {
                        return handler.getSubProtocols();
                    }

                    @Override
                    public Mono<Void> handle(WebSocketSession session) {
                        return handler.handle(session)
                                .contextWrite(c -> c.put(ObservationThreadLocalAccessor.KEY, handshake));
                    }
                });
            });
        }
    }
}
