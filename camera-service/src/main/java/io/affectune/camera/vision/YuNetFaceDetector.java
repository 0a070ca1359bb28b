package io.affectune.camera.vision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.FaceDetectorYN;

/**
 * YuNet through OpenCV's FaceDetectorYN. It runs on a copy of the frame whose longer side is at most
 * {@code detectMaxSide}: detection cost grows with the pixel count, while faces that matter for
 * expression reading are large enough to survive the downscale; boxes are mapped back afterwards.
 * FaceDetectorYN keeps per-call state, so each thread borrows its own instance from a small pool. An instance is set
 * to one input size at a time, and changing it re-plans the network's buffers, which can cost more than the detection
 * (bench/camera DetectorComparison, retry at 544 px: p95 48-53 ms on frames with a face when one instance switched
 * between 320 and 544 px, 17-19 ms with an instance per size): a thread borrows an instance last used at its size
 * when the pool has one, or makes one while the pool has room, so the detection size and the retry size (and frame
 * sizes of different cameras) keep their own.
 */
public final class YuNetFaceDetector implements FaceDetector {

    private final byte[] model;
    private final float scoreThreshold;
    private final int minFaceSize;
    private final int maxFaces;
    private final int detectMaxSide;
    private final int retryMaxSide;
    /** Idle instances, each with the input size it was last used at. */
    private final BlockingQueue<Pooled> pool;

    private final int poolCapacity;

    private record Pooled(FaceDetectorYN detector, Size size) {}

    public YuNetFaceDetector(byte[] model, float scoreThreshold, int minFaceSize, int maxFaces, int detectMaxSide) {
        this(model, scoreThreshold, minFaceSize, maxFaces, detectMaxSide, detectMaxSide);
    }

    /**
     * @param detectMaxSide longer side of the copy detection runs on (small = fast)
     * @param retryMaxSide  when nothing is found, detection runs once more at this size (0 or
     *                      {@code <= detectMaxSide}: no retry); small or blurry faces lost by the
     *                      downscale are then still found, at extra cost only for frames without faces
     */
    public YuNetFaceDetector(
            byte[] model, float scoreThreshold, int minFaceSize, int maxFaces, int detectMaxSide, int retryMaxSide) {
        OpenCv.ensureLoaded();
        this.model = model.clone();
        this.scoreThreshold = scoreThreshold;
        this.minFaceSize = minFaceSize;
        this.maxFaces = maxFaces;
        this.detectMaxSide = detectMaxSide;
        this.retryMaxSide = retryMaxSide;
        this.poolCapacity = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        this.pool = new ArrayBlockingQueue<>(poolCapacity);
        pool.offer(new Pooled(newDetector(), new Size(320, 320)));
    }

    private FaceDetectorYN newDetector() {
        MatOfByte modelBuffer = new MatOfByte(model);
        MatOfByte config = new MatOfByte();
        try {
            return FaceDetectorYN.create("onnx", modelBuffer, config, new Size(320, 320), scoreThreshold, 0.3f, 5000);
        } finally {
            modelBuffer.release();
            config.release();
        }
    }

    @Override
    public String name() {
        return "yunet";
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        return detect(bgr, true);
    }

    @Override
    public List<DetectedFace> detect(Mat bgr, boolean retry) {
        return detect(Frame.of(bgr), retry);
    }

    /** Each pass runs on the coarsest resolution of the frame that still has its detection size. */
    @Override
    public List<DetectedFace> detect(Frame frame, boolean retry) {
        if (frame.width() == 0 || frame.height() == 0) {
            return List.of();
        }
        int longer = Math.max(frame.width(), frame.height());
        List<DetectedFace> faces = detectAt(frame.view((double) longer / detectMaxSide), detectMaxSide);
        if (retry && faces.isEmpty() && retryMaxSide > detectMaxSide && longer > detectMaxSide) {
            faces = detectAt(frame.view((double) longer / retryMaxSide), retryMaxSide);
        }
        return faces;
    }

    /** Faces found in {@code view} downscaled to at most {@code maxSide}, in frame coordinates. */
    private List<DetectedFace> detectAt(Frame.View view, int maxSide) {
        Mat bgr = view.bgr();
        double scale = Math.min(1.0, (double) maxSide / Math.max(bgr.cols(), bgr.rows()));
        Size size = scale < 1.0
                ? new Size(Math.round(bgr.cols() * scale), Math.round(bgr.rows() * scale))
                : new Size(bgr.cols(), bgr.rows());
        Pooled borrowed = borrow(size);
        FaceDetectorYN detector = borrowed.detector();
        Mat small = new Mat();
        Mat faces = new Mat();
        try {
            Mat input = bgr;
            if (scale < 1.0) {
                Imgproc.resize(bgr, small, size, 0, 0, Imgproc.INTER_AREA);
                input = small;
            }
            double sx = view.scaleX() * bgr.cols() / input.cols();
            double sy = view.scaleY() * bgr.rows() / input.rows();
            if (!size.equals(borrowed.size())) {
                detector.setInputSize(size);
            }
            detector.detect(input, faces);
            List<DetectedFace> found = new ArrayList<>();
            float[] row = new float[15];
            for (int i = 0; i < faces.rows(); i++) {
                faces.get(i, 0, row);
                double w = row[2] * sx;
                double h = row[3] * sy;
                if (Math.min(w, h) < minFaceSize || row[14] < scoreThreshold) {
                    continue;
                }
                List<DetectedFace.Point> landmarks = new ArrayList<>(5);
                for (int k = 0; k < 5; k++) {
                    landmarks.add(new DetectedFace.Point(row[4 + 2 * k] * sx, row[5 + 2 * k] * sy));
                }
                found.add(new DetectedFace(row[0] * sx, row[1] * sy, w, h, List.copyOf(landmarks), row[14]));
            }
            return largest(found, maxFaces);
        } finally {
            small.release();
            faces.release();
            if (!pool.offer(new Pooled(detector, size))) {
                // the pool is full: this extra instance was created under a burst; let the GC finalize it
            }
        }
    }

    /**
     * An idle instance last used at {@code size}; else a new one while the pool has room for it to come back to;
     * else any idle one (it is re-planned for the size); else, under a burst, a new one.
     */
    private Pooled borrow(Size size) {
        for (Pooled idle : pool) {
            if (idle.size().equals(size) && pool.remove(idle)) {
                return idle;
            }
        }
        if (pool.size() < poolCapacity / 2) {
            return new Pooled(newDetector(), new Size(0, 0));
        }
        Pooled any = pool.poll();
        return any != null ? any : new Pooled(newDetector(), new Size(0, 0));
    }

    static List<DetectedFace> largest(List<DetectedFace> faces, int max) {
        return faces.stream()
                .sorted(Comparator.comparingDouble(DetectedFace::area).reversed())
                .limit(max)
                .toList();
    }
}
