package io.affectune.camera.stream;

import io.affectune.camera.config.CameraProperties;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;

@Configuration(proxyBeanMethods = false)
public class WebSocketConfig {

    @Bean
    HandlerMapping frameStreamMapping(FrameStreamHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of("/api/v1/sessions/*/stream", handler), -1);
    }

    /** Messages over the limit make Netty close the socket with 1009 (message too big). */
    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(CameraProperties properties) {
        WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength(properties.limits().maxWsMessageBytes());
        return new WebSocketHandlerAdapter(new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(() -> spec)));
    }
}
