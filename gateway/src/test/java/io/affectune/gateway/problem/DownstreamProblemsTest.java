package io.affectune.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.support.problem.ApiProblem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/** What a client is told when the gateway cannot complete an exchange with a service. */
class DownstreamProblemsTest {

    private final MockServerWebExchange exchange =
            MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/analyze"));

    {
        exchange.getAttributes()
                .put(
                        ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR,
                        Route.async()
                                .id("camera-service")
                                .uri(URI.create("http://127.0.0.1:1"))
                                .predicate(e -> true)
                                .build());
    }

    @Test
    void aServiceThatCannotBeReachedIs503WithRetryAfter() {
        ApiProblem problem =
                DownstreamProblems.of(exchange, new IllegalStateException(new ConnectException("refused")));
        assertThat(problem.status().value()).isEqualTo(503);
        assertThat(problem.retryAfter()).isNotNull();
        assertThat(problem.getMessage()).contains("camera-service cannot be reached");
    }

    @Test
    void aServiceThatDiesMidRequestIs502NotA500() {
        ApiProblem problem =
                DownstreamProblems.of(exchange, new IOException("recvAddress(..) failed: Connection reset by peer"));
        assertThat(problem.status().value()).isEqualTo(502);
        assertThat(problem.getMessage()).contains("camera-service closed the connection");
    }
}
