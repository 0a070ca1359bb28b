package io.affectune.playlist.listener;

import java.time.Instant;
import java.util.UUID;

/** A listener as stored: only a random id, whether history may be kept, and when that was last decided. */
public record Listener(UUID id, boolean historyConsent, Instant consentChangedAt, Instant createdAt) {}
