package io.affectune.playlist.feedback;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One listener signal: a track liked or skipped while feeling an emotion. */
@Entity
@Table(name = "feedback")
public class Feedback {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "track_id")
    private long trackId;

    private String emotion;
    private String signal;

    @Column(name = "session_id")
    private String sessionId;

    @Column(name = "created_at")
    private Instant createdAt;
    /** The listener who gave it (X-Listener-Id), or null for an anonymous request. */
    @Column(name = "listener_id")
    private UUID listenerId;

    protected Feedback() {}

    public Feedback(long trackId, String emotion, String signal, String sessionId, UUID listenerId) {
        this.listenerId = listenerId;
        this.trackId = trackId;
        this.emotion = emotion;
        this.signal = signal;
        this.sessionId = sessionId;
        this.createdAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public long getTrackId() {
        return trackId;
    }

    public String getEmotion() {
        return emotion;
    }

    public String getSignal() {
        return signal;
    }

    public String getSessionId() {
        return sessionId;
    }

    public UUID getListenerId() {
        return listenerId;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
