package io.affectune.support.timeouts;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

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
                http.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, timeouts.read().toMillis()));
                http.setKeepAliveTimeout((int) Math.min(Integer.MAX_VALUE, timeouts.idle().toMillis()));
            }
        });
    }
}
