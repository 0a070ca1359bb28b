package io.affectune.support.timeouts;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import io.affectune.support.problem.ProblemResolver;
import java.net.SocketTimeoutException;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's connection timeout bounds both a request head and each read of a request body; its keep-alive
 * timeout bounds the wait for the next request on a kept-alive connection.
 */
public class TomcatConnectionTimeouts implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final ConnectionTimeouts timeouts;

    public TomcatConnectionTimeouts(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                // Tomcat looks for timed-out connections once a second, so a connection may live up to a second
                // past its timeout: take that second off (down to 1 s), so the read timeout is a bound, as on Netty
                http.setConnectionTimeout((int) Math.min(
                        Integer.MAX_VALUE, Math.max(1000, timeouts.read().toMillis() - 1000)));
                http.setKeepAliveTimeout(
                        (int) Math.min(Integer.MAX_VALUE, timeouts.idle().toMillis()));
            }
        });
    }

    /**
     * A body that stopped arriving surfaces as Tomcat's read timing out: 408 (a client error, logged at DEBUG), not
     * an internal error logged at ERROR. Only Tomcat's own socket reads qualify, not a timeout of an outgoing call.
     */
    public static ProblemMapper requestTimeouts() {
        return error -> {
            SocketTimeoutException timeout = ProblemResolver.find(error, SocketTimeoutException.class);
            if (timeout == null
                    || timeout.getStackTrace().length == 0
                    || !timeout.getStackTrace()[0].getClassName().startsWith("org.apache.tomcat.util.net.")) {
                return null;
            }
            return new ApiProblem(
                    HttpStatus.REQUEST_TIMEOUT,
                    "Request timeout",
                    "The request body stopped arriving; send it whole without long pauses.");
        };
    }
}
