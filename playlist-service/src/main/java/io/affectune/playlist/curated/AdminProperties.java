package io.affectune.playlist.curated;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param adminToken bearer token for curated-playlist writes (ADMIN_TOKEN); blank disables writes */
@ConfigurationProperties("affectune")
public record AdminProperties(String adminToken) {}
