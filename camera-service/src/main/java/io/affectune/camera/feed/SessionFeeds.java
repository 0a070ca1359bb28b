package io.affectune.camera.feed;

import io.affectune.camera.frame.FrameResult;
import io.affectune.camera.session.Session;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The live feeds of a session: its frame results (server-sent events) and its annotated frames (the MJPEG
 * preview). They are kept here, not in {@link Session}, so that the session stays domain (faces, mood, playlist)
 * and knows nothing of how results are shown. A session's feeds exist only while someone watches it or once
 * someone has; they end when the session ends, which ends every stream on them. Subscribers that cannot keep up
 * miss items (best effort), never slow the pipeline.
 */
@Component
public class SessionFeeds {

    /** Keyed by the session object, not its id: an id a client chose may be reused by a later session. */
    private final Map<Session, Feed> feeds = new ConcurrentHashMap<>();

    /** Hands a frame's result to the session's event watchers, if any. */
    public void publish(Session session, FrameResult result) {
        Feed feed = feeds.get(session);
        if (feed != null) {
            feed.events.tryEmitNext(result);
        }
    }

    /** The session's frame results from now on; completes when the session ends. */
    public Flux<FrameResult> events(Session session) {
        return feedOf(session).events.asFlux();
    }

    /** Whether anyone watches the preview: only then is a frame copied and annotated. */
    public boolean wantsPreview(Session session) {
        Feed feed = feeds.get(session);
        return feed != null && feed.previews.currentSubscriberCount() > 0;
    }

    public void publishPreview(Session session, byte[] jpeg) {
        Feed feed = feeds.get(session);
        if (feed != null) {
            feed.previews.tryEmitNext(jpeg);
        }
    }

    /** The session's annotated frames (JPEG) from now on; completes when the session ends. */
    public Flux<byte[]> previews(Session session) {
        return feedOf(session).previews.asFlux();
    }

    private Feed feedOf(Session session) {
        Feed existing = feeds.get(session);
        if (existing != null) {
            return existing;
        }
        Feed created = new Feed();
        Feed feed = feeds.putIfAbsent(session, created);
        if (feed != null) {
            return feed;
        }
        // runs at once if the session has already ended: the streams then complete instead of waiting forever
        session.onClose(() -> {
            feeds.remove(session, created);
            created.events.tryEmitComplete();
            created.previews.tryEmitComplete();
        });
        return created;
    }

    private static final class Feed {
        final Sinks.Many<FrameResult> events = Sinks.many().multicast().directBestEffort();
        final Sinks.Many<byte[]> previews = Sinks.many().multicast().directBestEffort();
    }
}
