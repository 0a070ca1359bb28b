package io.affectune.playlist.listener;

import java.util.UUID;

/**
 * Published inside the forget-me transaction: the listener's likes and skips were also taken out of the
 * global tallies, so caches of those tallies (RankingSignals) must be dropped once it commits.
 */
public record ListenerForgotten(UUID listenerId) {}
