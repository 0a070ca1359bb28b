package io.affectune.camera.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Every camera-service setting; application.yml maps each one to an environment variable. */
@ConfigurationProperties("camera")
public record CameraProperties(
        String modelsDir,
        String modelId,
        Detection detection,
        Limits limits,
        Emotion emotion,
        Playlist playlist,
        Session session,
        Mood mood,
        Source source) {

    public enum DetectorKind {
        YUNET,
        HAAR
    }

    public enum MoodSubject {
        MAIN,
        GROUP
    }

    public record Detection(
            DetectorKind detector,
            float scoreThreshold,
            int minFaceSize,
            int maxFaces,
            int detectMaxSide,
            int retryMaxSide) {}

    /** maxImagePixels: the decode budget; a progressive JPEG's or interlaced PNG's pixels count progressiveWeight times. */
    public record Limits(
            long maxImageBytes,
            long maxImagePixels,
            int progressiveWeight,
            int maxFrameWidth,
            int maxFrameHeight,
            int maxWsMessageBytes) {}

    /** Time limit and circuit breaker: resilience4j.*.instances.emotion-service in application.yml. */
    public record Emotion(String url) {}

    /**
     * retryAfter: how long a session waits before asking again for a playlist that could not be fetched. Time
     * limit, circuit breaker and retry of one fetch: resilience4j.*.instances.playlist-service in application.yml.
     */
    public record Playlist(String url, int limit, Duration retryAfter) {}

    /** instanceId: names this instance in new session and source ids (see session.InstanceIds); blank = plain UUIDs. */
    public record Session(
            Duration idleTimeout,
            int maxSessions,
            int createPerClientPerMinute,
            double trackIou,
            Duration trackTtl,
            String instanceId) {}

    public record Mood(MoodSubject subject, Duration smoothingWindow, Duration settle, Duration hold, double margin) {}

    /** fileDirectory: where server-side video files may be opened from; blank = file sources off. */
    public record Source(int defaultFps, int maxSources, String fileDirectory) {}
}
