package io.affectune.playlist.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param maxRequestBytes largest request body accepted (MAX_REQUEST_BYTES); larger ones get 413 */
@ConfigurationProperties("affectune.web")
public record WebProperties(@DefaultValue("65536") long maxRequestBytes) {
}
