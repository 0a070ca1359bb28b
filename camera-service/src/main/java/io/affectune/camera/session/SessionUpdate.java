package io.affectune.camera.session;

import io.affectune.camera.frame.FrameResult;
import java.util.List;

/** What a session made of one frame: track ids (same order as the faces), mood, and whether a playlist is due. */
public record SessionUpdate(List<Integer> trackIds, FrameResult.Mood mood, String playlistDue, long sequence) {
}
