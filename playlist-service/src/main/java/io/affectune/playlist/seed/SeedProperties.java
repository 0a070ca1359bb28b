package io.affectune.playlist.seed;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param enabled seed the catalogue on first start (SEED_ENABLED) */
@ConfigurationProperties("affectune.seed")
public record SeedProperties(@DefaultValue("true") boolean enabled) {}
