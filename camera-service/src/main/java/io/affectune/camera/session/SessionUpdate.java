package io.affectune.camera.session;

import java.util.List;

/** What a session made of one frame: track ids (same order as the faces), mood, and whether a playlist is due. */
public record SessionUpdate(List<Integer> trackIds, Mood mood, String playlistDue, long sequence) {}
