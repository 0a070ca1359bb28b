package io.affectune.playlist.listener;

import java.time.Instant;
import java.util.List;

/**
 * One entry of a consenting listener's history: a settled mood, a playlist shown (its track ids), or a
 * like or skip (one track, with its title and artist so the history reads without further look-ups).
 */
public record HistoryEvent(String kind, String emotion, List<Long> trackIds, String title, String artist, Instant at) {}
