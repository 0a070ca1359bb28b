package io.affectune.camera.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Greedy box-IoU matching of this frame's faces to the session's tracks. Not thread-safe. */
final class FaceTracker {

    private final double iouThreshold;
    private final Duration ttl;
    private final List<Track> tracks = new ArrayList<>();
    private int nextId = 1;

    FaceTracker(double iouThreshold, Duration ttl) {
        this.iouThreshold = iouThreshold;
        this.ttl = ttl;
    }

    /** Tracks for the given faces, in the same order; unmatched faces start new tracks. */
    List<Track> update(List<FaceBox> faces, Instant now) {
        tracks.removeIf(t -> Duration.between(t.lastSeen, now).compareTo(ttl) > 0);
        record Pair(int face, Track track, double iou) {}
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            for (Track t : tracks) {
                double iou = faces.get(i).iou(t.face);
                if (iou >= iouThreshold) {
                    pairs.add(new Pair(i, t, iou));
                }
            }
        }
        pairs.sort(Comparator.comparingDouble(Pair::iou).reversed());
        Track[] assigned = new Track[faces.size()];
        List<Track> used = new ArrayList<>();
        for (Pair p : pairs) {
            if (assigned[p.face()] == null && !used.contains(p.track())) {
                assigned[p.face()] = p.track();
                used.add(p.track());
            }
        }
        for (int i = 0; i < faces.size(); i++) {
            if (assigned[i] == null) {
                assigned[i] = new Track(nextId++, faces.get(i), now);
                tracks.add(assigned[i]);
            } else {
                assigned[i].face = faces.get(i);
                assigned[i].lastSeen = now;
                assigned[i].hits++;
            }
        }
        return Arrays.asList(assigned);
    }

    List<Track> live() {
        return tracks;
    }
}
