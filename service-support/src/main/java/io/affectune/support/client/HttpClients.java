package io.affectune.support.client;

import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorSettings;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The one way a service of ours builds a client for another one. Every client starts from Spring Boot's
 * auto-configured {@link WebClient.Builder} (so its observation, metrics and tracing instrumentation, codecs and
 * customizers stay on) and Boot's connector builder (the shared Reactor Netty resources), and only adds what
 * differs per client ({@link HttpClientSettings}): base URL, connect and response timeouts, the largest answer
 * read into memory. Nothing else in a service creates a {@code WebClient} or a Netty {@code HttpClient} by hand.
 * Resilience (circuit breaker, time limit, retry) is configuration, applied by the caller with Resilience4j.
 */
public class HttpClients {

    private final WebClient.Builder builder;
    private final ClientHttpConnectorBuilder<?> connectors;
    private final ClientHttpConnectorSettings defaults;

    public HttpClients(
            WebClient.Builder builder, ClientHttpConnectorBuilder<?> connectors, ClientHttpConnectorSettings defaults) {
        this.builder = builder;
        this.connectors = connectors;
        this.defaults = defaults;
    }

    /** A client for one service; each call gets its own copy of the Boot builder. */
    public WebClient webClient(HttpClientSettings settings) {
        int maxInMemory =
                (int) Math.min(Integer.MAX_VALUE, settings.maxInMemorySize().toBytes());
        return builder.clone()
                .baseUrl(settings.baseUrl())
                .clientConnector(
                        connectors.build(defaults.withTimeouts(settings.connectTimeout(), settings.responseTimeout())))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxInMemory))
                .build();
    }
}
