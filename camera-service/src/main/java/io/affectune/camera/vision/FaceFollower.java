package io.affectune.camera.vision;

import java.util.List;
import java.util.Optional;

/**
 * Follows one stream's faces between detections, so that the detector need not run on every frame of a stream.
 * After a detection the faces are reused for the next {@code detectEvery - 1} frames of the same size, as long as
 * each face is still where it was: the face crop cut at the remembered box must stay within {@code lostDifference}
 * (mean absolute difference, grey levels) of the crop cut right after the detection. A face that moved, turned
 * away or left changes its crop at once, and the frame is then detected anew (the track counts as lost); a face
 * that newly enters the picture is found at the next scheduled detection. Thread-safe; one instance per stream.
 *
 * <p>A scene without faces is detected on every frame, so that a face entering it is found at once; but the
 * detector's retry pass at a larger size (for small faces, {@code FACE_DETECT_RETRY_MAX_SIDE}), which costs several
 * times the first pass, then runs only on every {@code detectEvery}-th such frame ({@link #retryDue}): a small face
 * entering is found within {@code detectEvery} frames, as a face entering beside followed ones is.
 */
public final class FaceFollower {

    private final int detectEvery;
    private final double lostDifference;
    private List<DetectedFace> faces;
    private List<byte[]> references;
    private int width;
    private int height;
    private int followedSince;
    /** Detections that found nothing since the last one that ran the retry pass. */
    private int emptyWithoutRetry;

    /**
     * @param detectEvery    a detection at least every this many frames (1: every frame, nothing is followed)
     * @param lostDifference largest mean absolute grey difference between a followed crop and its reference
     */
    public FaceFollower(int detectEvery, double lostDifference) {
        this.detectEvery = Math.max(1, detectEvery);
        this.lostDifference = lostDifference;
    }

    /** The faces of the last detection when this frame may reuse them; empty when it must be detected. */
    public synchronized Optional<List<DetectedFace>> followable(int frameWidth, int frameHeight) {
        if (faces == null
                || faces.isEmpty()
                || frameWidth != width
                || frameHeight != height
                || followedSince + 1 >= detectEvery) {
            return Optional.empty();
        }
        return Optional.of(faces);
    }

    /**
     * Whether every followed face is still there: {@code crops} are the grey crop pixels cut at the faces
     * {@link #followable} gave, in the same order. True counts the frame as followed.
     */
    public synchronized boolean stillThere(List<DetectedFace> followed, List<byte[]> crops) {
        if (followed != faces || crops.size() != references.size()) {
            return false;
        }
        for (int i = 0; i < crops.size(); i++) {
            if (meanAbsoluteDifference(crops.get(i), references.get(i)) > lostDifference) {
                faces = null;
                return false;
            }
        }
        followedSince++;
        return true;
    }

    /**
     * Whether this frame's detection should run the detector's retry pass when its first pass finds nothing: yes,
     * unless the last detections found nothing and one of the last {@code detectEvery - 1} ran it.
     */
    public synchronized boolean retryDue() {
        return faces == null || !faces.isEmpty() || emptyWithoutRetry + 1 >= detectEvery;
    }

    /**
     * Records a detection: its faces and their grey crop pixels become the reference for the next frames.
     *
     * @param retried whether the detection could run the retry pass ({@link #retryDue})
     */
    public synchronized void detected(
            List<DetectedFace> detected, List<byte[]> crops, int frameWidth, int frameHeight, boolean retried) {
        this.emptyWithoutRetry = !detected.isEmpty() || retried ? 0 : emptyWithoutRetry + 1;
        this.faces = detected;
        this.references = crops;
        this.width = frameWidth;
        this.height = frameHeight;
        this.followedSince = 0;
    }

    static double meanAbsoluteDifference(byte[] a, byte[] b) {
        if (a.length != b.length || a.length == 0) {
            return Double.MAX_VALUE;
        }
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return (double) sum / a.length;
    }
}
