package io.affectune.camera.session;

import io.affectune.camera.config.CameraProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * In-memory sessions; a session nobody has used for the idle timeout is forgotten. New sessions are
 * admitted per client (a rate per client address) and in total (the registry's size).
 */
@Component
public class SessionRegistry {

    public static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final CameraProperties properties;
    private final Clock clock;
    private final CreationLimiter limiter;
    private final InstanceIds ids;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public SessionRegistry(CameraProperties properties, Clock clock, InstanceIds ids) {
        this.properties = properties;
        this.clock = clock;
        this.ids = ids;
        this.limiter = new CreationLimiter(properties.session().createPerClientPerMinute());
    }

    public Optional<Session> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /**
     * The session with this id, created for {@code client} (its address) when new.
     *
     * @throws SessionRefusedException if the id is malformed, the client creates sessions too fast, or the
     *                                 registry is full
     */
    public Session open(String id, String client) {
        if (id == null || !VALID_ID.matcher(id).matches()) {
            throw new SessionRefusedException(
                    SessionRefusedException.Reason.MALFORMED_ID,
                    Duration.ZERO,
                    "Session ids are 1-64 letters, digits, '-' or '_'");
        }
        Session existing = sessions.get(id);
        if (existing != null) {
            return existing;
        }
        int max = properties.session().maxSessions();
        if (sessions.size() >= max) {
            expireIdle();
            if (sessions.size() >= max) {
                throw new SessionRefusedException(
                        SessionRefusedException.Reason.FULL,
                        properties.session().idleTimeout(),
                        "All " + max + " sessions are in use; an idle one is freed after "
                                + properties.session().idleTimeout().toSeconds() + " s");
            }
        }
        Duration wait = limiter.acquire(client, clock.instant());
        if (!wait.isZero()) {
            throw new SessionRefusedException(
                    SessionRefusedException.Reason.CLIENT_RATE,
                    wait,
                    "Too many new sessions from this client: at most "
                            + properties.session().createPerClientPerMinute() + " per minute");
        }
        return sessions.computeIfAbsent(id, key -> new Session(key, properties, clock.instant()));
    }

    /** A new session with a random id (naming this instance, {@link InstanceIds}), for {@code client}; refused as {@link #open} says. */
    public Session create(String client) {
        return open(ids.newId(), client);
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
        limiter.forgetIdle(now);
        Duration idle = properties.session().idleTimeout();
        sessions.values().removeIf(s -> {
            boolean expired = !s.hasActiveInputs()
                    && Duration.between(s.lastActivity(), now).compareTo(idle) > 0;
            if (expired) {
                s.close();
            }
            return expired;
        });
    }
}
