package io.affectune.support.client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.WebClient;

/** Offers {@link HttpClients} wherever Spring Boot auto-configures a {@link WebClient.Builder} (WebFlux services). */
@AutoConfiguration(after = {ClientHttpConnectorAutoConfiguration.class, WebClientAutoConfiguration.class})
@ConditionalOnClass(WebClient.class)
@ConditionalOnBean(WebClient.Builder.class)
public class HttpClientsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    HttpClients httpClients(
            ObjectProvider<WebClient.Builder> builder,
            ObjectProvider<ClientHttpConnectorBuilder<?>> connectors,
            ObjectProvider<ClientHttpConnectorSettings> settings) {
        return new HttpClients(
                builder.getObject(),
                connectors.getIfAvailable(ClientHttpConnectorBuilder::detect),
                settings.getIfAvailable(ClientHttpConnectorSettings::defaults));
    }
}
