package io.affectune.playlist.catalog;

import java.util.List;

/** One page of a catalogue search. */
public record TrackPage(String q, int page, int size, long totalElements, int totalPages, List<TrackView> items) {}
