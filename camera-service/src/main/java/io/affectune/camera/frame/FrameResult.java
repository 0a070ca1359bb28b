package io.affectune.camera.frame;

import io.affectune.camera.session.Playlist;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the service answers for one processed frame (REST, WebSocket and SSE alike). */
public record FrameResult(
        String sessionId,
        Long sequence,
        Instant timestamp,
        Size frame,
        Size downscaledFrom,
        List<Face> faces,
        Mood mood,
        Playlist playlist,
        Timings timings,
        Long droppedFrames,
        boolean degraded) {

    public record Size(int width, int height) {}

    public record Box(int x, int y, int width, int height) {}

    public record Point(double x, double y) {}

    public record Face(
            Integer trackId,
            Box box,
            Map<String, Point> landmarks,
            double score,
            String emotion,
            Double confidence,
            Map<String, Double> probabilities) {}

    public record Mood(String emotion, double confidence, Instant since, Instant lockedUntil) {}

    /**
     * Stage times of this frame; queueMs (streams only) is how long it waited behind the previous frame; emotionAgeMs
     * (frames with emotions) how old they are: 0 when this frame's faces were classified for it, else the time since
     * the crops of an earlier frame of the stream with the same faces were cut (camera-service README, "Emotions of
     * a stream without waiting").
     */
    public record Timings(
            double decodeMs, double detectMs, double classifyMs, double totalMs, Double queueMs, Double emotionAgeMs) {}

    public FrameResult withQueueMs(double queueMs) {
        Timings t = new Timings(
                timings.decodeMs(),
                timings.detectMs(),
                timings.classifyMs(),
                timings.totalMs(),
                Math.round(queueMs * 100) / 100.0,
                timings.emotionAgeMs());
        return new FrameResult(
                sessionId,
                sequence,
                timestamp,
                frame,
                downscaledFrom,
                faces,
                mood,
                playlist,
                t,
                droppedFrames,
                degraded);
    }
}
