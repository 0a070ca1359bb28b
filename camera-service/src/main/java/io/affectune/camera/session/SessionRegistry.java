package io.affectune.camera.session;

import io.affectune.camera.config.CameraProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** In-memory sessions; a session nobody has used for the idle timeout is forgotten. */
@Component
public class SessionRegistry {

    public static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final CameraProperties properties;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public SessionRegistry(CameraProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    public Optional<Session> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** The session with this id, created when new; empty if the id is malformed or the registry is full. */
    public Optional<Session> getOrCreate(String id) {
        if (id == null || !VALID_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Session existing = sessions.get(id);
        if (existing != null) {
            return Optional.of(existing);
        }
        if (sessions.size() >= properties.session().maxSessions()) {
            expireIdle();
            if (sessions.size() >= properties.session().maxSessions()) {
                return Optional.empty();
            }
        }
        return Optional.of(sessions.computeIfAbsent(id, key -> new Session(key, properties, clock.instant())));
    }

    public Session create() {
        return getOrCreate(UUID.randomUUID().toString())
                .orElseThrow(() -> new IllegalStateException("too many sessions"));
    }

    public boolean remove(String id) {
        Session removed = sessions.remove(id);
        if (removed != null) {
            removed.close();
        }
        return removed != null;
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    @Scheduled(fixedDelayString = "${camera.session.sweep-interval:10s}")
    public void expireIdle() {
        Instant now = clock.instant();
        Duration idle = properties.session().idleTimeout();
        sessions.values().removeIf(s -> {
            boolean expired = !s.hasActiveInputs() && Duration.between(s.lastActivity(), now).compareTo(idle) > 0;
            if (expired) {
                s.close();
            }
            return expired;
        });
    }
}
