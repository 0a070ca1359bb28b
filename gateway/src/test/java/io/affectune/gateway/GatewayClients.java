package io.affectune.gateway;

import java.time.Duration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The tests' HTTP client for a gateway (or its management port): a new connection per request, closed after it.
 * A plain {@code WebTestClient.bindToServer()} shares Reactor Netty's global pool across every test in the JVM: a response whose body a test does not read keeps its connection out of the pool for good (a probe of
 * 3,000 such GETs through the gateway exhausted the pool after ~1,800 and hung), and a kept-alive connection
 * carries state from one test into the next (a CI run hung 10 s on a GET after a 10 s pause, 2026-12-02). Here no
 * request depends on what an earlier one left behind.
 */
final class GatewayClients {

    private static final ReactorClientHttpConnector CONNECTOR =
            new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection()));

    private GatewayClients() {}

    static WebTestClient to(String baseUrl) {
        return WebTestClient.bindToServer(CONNECTOR)
                .baseUrl(baseUrl)
                .responseTimeout(Duration.ofSeconds(10))
                .build();
    }
}
