package io.affectune.camera.session;

import java.time.Instant;

/** A session's mood: the emotion, its smoothed probability now, since when it holds and until when it is locked. */
public record Mood(String emotion, double confidence, Instant since, Instant lockedUntil) {}
