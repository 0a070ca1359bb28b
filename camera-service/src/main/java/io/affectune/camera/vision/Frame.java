package io.affectune.camera.vision;

import java.util.function.Supplier;
import org.opencv.core.Mat;

/**
 * A frame that may exist at two resolutions: its own, and a JPEG frame's copy decoded at 1/2, 1/4 or 1/8 scale
 * ({@link ImageDecoder}), which libjpeg makes in a fraction of a full decode. Each step asks for the coarsest
 * resolution it can use ({@link #view}): the detector runs at 320 px anyway, a face crop of 48 px needs no more
 * pixels than 48 across the face. The full-resolution frame is decoded only when something needs it (a crop of a
 * small face, the detector's retry at a larger size, a preview), once. Coordinates outside this class (face boxes,
 * {@link #width()}, {@link #height()}) are always the frame's own.
 *
 * <p>Used by one frame's pipeline on one thread. It owns its Mats unless made with {@link #of(Mat)}; close it.
 */
public final class Frame implements AutoCloseable {

    /** One resolution of the frame: its pixels, and how many frame pixels one of them spans across and down. */
    public record View(Mat bgr, double scaleX, double scaleY) {

        /** The larger of the two scales: 1 at full resolution, 2 at half, ... */
        public double reduction() {
            return Math.max(scaleX, scaleY);
        }

        /** A face found in this view, in frame coordinates. */
        public DetectedFace toFrame(DetectedFace face) {
            return face.scaled(scaleX, scaleY);
        }

        /** A face in frame coordinates, in this view's. */
        public DetectedFace fromFrame(DetectedFace face) {
            return face.scaled(1 / scaleX, 1 / scaleY);
        }
    }

    private final int width;
    private final int height;
    private final int originalWidth;
    private final int originalHeight;
    /** The reduced copy, or null when the frame has one resolution. */
    private final View reduced;
    /** Decodes the full-resolution frame; null once decoded (or when it was given). */
    private Supplier<Mat> decodeFull;

    private Mat full;
    private final boolean owned;

    private Frame(
            int width,
            int height,
            int originalWidth,
            int originalHeight,
            View reduced,
            Mat full,
            Supplier<Mat> decodeFull,
            boolean owned) {
        this.width = width;
        this.height = height;
        this.originalWidth = originalWidth;
        this.originalHeight = originalHeight;
        this.reduced = reduced;
        this.full = full;
        this.decodeFull = decodeFull;
        this.owned = owned;
    }

    /** A frame the caller keeps owning (closing this one does not release it). */
    public static Frame of(Mat bgr) {
        return new Frame(bgr.cols(), bgr.rows(), bgr.cols(), bgr.rows(), null, bgr, null, false);
    }

    /**
     * A decoded frame, owned; {@code originalWidth/Height}: the image's size before it was reduced to the frame
     * limit (as the frame's own size when it was not).
     */
    static Frame decoded(Mat bgr, int originalWidth, int originalHeight) {
        return new Frame(bgr.cols(), bgr.rows(), originalWidth, originalHeight, null, bgr, null, true);
    }

    /**
     * A frame of {@code width} x {@code height} known so far by its reduced copy (owned); {@code decodeFull} decodes
     * the full resolution, of that size, when first needed.
     */
    static Frame reduced(int width, int height, Mat reduced, Supplier<Mat> decodeFull) {
        View view = new View(reduced, (double) width / reduced.cols(), (double) height / reduced.rows());
        return new Frame(width, height, width, height, view, null, decodeFull, true);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether the image was larger than the frame limit and this frame is a reduction of it. */
    public boolean downscaled() {
        return width != originalWidth || height != originalHeight;
    }

    public int originalWidth() {
        return originalWidth;
    }

    public int originalHeight() {
        return originalHeight;
    }

    /**
     * The coarsest resolution at which one pixel spans at most {@code maxReduction} frame pixels: the reduced copy
     * when there is one that coarse, else the full frame (decoded now if it was not yet).
     */
    public View view(double maxReduction) {
        if (reduced != null && reduced.reduction() <= maxReduction) {
            return reduced;
        }
        Mat bgr = full();
        return new View(bgr, 1, 1);
    }

    /** The frame at full resolution, decoded now if it was not yet. */
    public Mat full() {
        if (full == null) {
            full = decodeFull.get();
            decodeFull = null;
        }
        return full;
    }

    /** Whether the full resolution was decoded (or given): what the reduced decode saved, for tests. */
    public boolean fullDecoded() {
        return full != null;
    }

    @Override
    public void close() {
        if (!owned) {
            return;
        }
        if (reduced != null) {
            reduced.bgr().release();
        }
        if (full != null) {
            full.release();
        }
    }
}
