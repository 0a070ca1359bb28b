package io.affectune.camera.session;

import io.affectune.camera.config.CameraProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One viewer's state, in memory only: face tracks, the smoothed mood and the tracks already recommended. Frame
 * results are applied under the session's lock. What watches a session (its live feeds, feed.SessionFeeds) hangs
 * on {@link #onClose} and ends with it.
 */
public final class Session {

    private static final int MAX_EXCLUDED = 300;

    private final String id;
    private final Instant created;
    private final CameraProperties.Mood moodSettings;
    private final FaceTracker tracker;
    private final MoodTracker mood;
    private final Set<String> givenTrackIds = new LinkedHashSet<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger activeInputs = new AtomicInteger();
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    private volatile Instant lastActivity;
    private volatile boolean closed;
    private String playlistPending;
    private Instant playlistRetryAt = Instant.MIN;
    private Playlist lastPlaylist;

    Session(String id, CameraProperties properties, Instant now) {
        this.id = id;
        this.created = now;
        this.moodSettings = properties.mood();
        this.tracker = new FaceTracker(
                properties.session().trackIou(), properties.session().trackTtl());
        this.mood = new MoodTracker(moodSettings.settle(), moodSettings.hold(), moodSettings.margin());
        this.lastActivity = now;
    }

    public String id() {
        return id;
    }

    public Instant created() {
        return created;
    }

    public Instant lastActivity() {
        return lastActivity;
    }

    public void touch(Instant now) {
        lastActivity = now;
    }

    /**
     * Applies one frame: its faces and, in the same order, their emotion probabilities (the list is null when the
     * faces could not be classified).
     */
    public synchronized SessionUpdate apply(
            List<FaceBox> faces, List<Map<String, Double>> probabilities, Instant now, Duration playlistRetry) {
        lastActivity = now;
        List<Track> tracks = tracker.update(faces, now);
        if (probabilities != null) {
            for (int i = 0; i < tracks.size(); i++) {
                Map<String, Double> p = probabilities.get(i);
                if (p != null && !p.isEmpty()) {
                    tracks.get(i).observe(p, now, moodSettings.smoothingWindow());
                }
            }
        }
        boolean changed = probabilities != null && mood.update(subjectProbabilities(tracks), now);
        MoodTracker.State state = mood.state();
        if (changed) {
            playlistPending = state.emotion();
            playlistRetryAt = Instant.MIN;
        }
        String due = null;
        if (playlistPending != null && !now.isBefore(playlistRetryAt)) {
            due = playlistPending;
            // one fetch at a time: a failed fetch is retried after the retry delay
            playlistRetryAt = now.plus(playlistRetry);
        }
        Mood moodView = state == null
                ? null
                : new Mood(state.emotion(), round(state.confidence()), state.since(), state.lockedUntil());
        return new SessionUpdate(tracks.stream().map(t -> t.id).toList(), moodView, due, sequence.incrementAndGet());
    }

    private Map<String, Double> subjectProbabilities(List<Track> seenNow) {
        List<Track> withEmotion =
                seenNow.stream().filter(t -> t.smoothed() != null).toList();
        if (withEmotion.isEmpty()) {
            return null;
        }
        if (moodSettings.subject() == CameraProperties.MoodSubject.GROUP) {
            Map<String, Double> sum = new HashMap<>();
            withEmotion.forEach(t -> t.smoothed().forEach((k, v) -> sum.merge(k, v / withEmotion.size(), Double::sum)));
            return sum;
        }
        Track main = withEmotion.get(0);
        for (Track t : withEmotion) {
            if (t.salience() > main.salience()) {
                main = t;
            }
        }
        return main.smoothed();
    }

    /** Records a fetched playlist: its tracks are excluded from later playlists of this session. */
    public synchronized void playlistDelivered(String emotion, Playlist playlist) {
        if (emotion.equals(playlistPending)) {
            playlistPending = null;
        }
        lastPlaylist = playlist;
        givenTrackIds.addAll(playlist.trackIds());
        while (givenTrackIds.size() > MAX_EXCLUDED) {
            givenTrackIds.remove(givenTrackIds.iterator().next());
        }
    }

    public synchronized List<String> givenTrackIds() {
        return new ArrayList<>(givenTrackIds);
    }

    public synchronized Playlist lastPlaylist() {
        return lastPlaylist;
    }

    public synchronized Mood currentMood() {
        MoodTracker.State state = mood.state();
        return state == null
                ? null
                : new Mood(state.emotion(), round(state.confidence()), state.since(), state.lockedUntil());
    }

    public long countDropped(long n) {
        return dropped.addAndGet(n);
    }

    public long droppedFrames() {
        return dropped.get();
    }

    public long processedFrames() {
        return sequence.get();
    }

    /** Inputs (WebSocket connections, server-side sources) keep a session alive while attached. */
    public void inputAttached() {
        activeInputs.incrementAndGet();
    }

    public void inputDetached(Instant now) {
        activeInputs.decrementAndGet();
        lastActivity = now;
    }

    public boolean hasActiveInputs() {
        return activeInputs.get() > 0;
    }

    void close() {
        closed = true;
        for (Runnable action : onClose) {
            if (onClose.remove(action)) { // once, also when close() and onClose() race
                action.run();
            }
        }
    }

    /** Runs {@code action} when the session ends (removed or expired); at once if it already has. */
    public void onClose(Runnable action) {
        onClose.add(action);
        if (closed && onClose.remove(action)) {
            action.run();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
