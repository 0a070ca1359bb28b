package io.affectune.camera.vision;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.opencv.core.Mat;
import org.opencv.core.MatOfRect;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.CascadeClassifier;

/**
 * The classic frontal-face Haar cascade, a fallback for builds or machines where YuNet misbehaves.
 * It gives no landmarks, so its crops are not eye-aligned. The cascade XML ships inside the jar
 * (a Debian path would not exist elsewhere); OpenCV can only load it from a file, so it is copied
 * to a temporary file once (it is a public model, not personal data).
 */
public final class HaarFaceDetector implements FaceDetector {

    private final Path cascadeFile;
    private final int minFaceSize;
    private final int maxFaces;
    private final int detectMaxSide;
    private final BlockingQueue<CascadeClassifier> pool;

    public HaarFaceDetector(int minFaceSize, int maxFaces, int detectMaxSide) {
        OpenCv.ensureLoaded();
        this.minFaceSize = minFaceSize;
        this.maxFaces = maxFaces;
        this.detectMaxSide = detectMaxSide;
        this.pool = new ArrayBlockingQueue<>(Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
        try (InputStream in =
                HaarFaceDetector.class.getResourceAsStream("/haarcascades/haarcascade_frontalface_default.xml")) {
            if (in == null) {
                throw new IllegalStateException("haarcascade_frontalface_default.xml missing from the classpath");
            }
            cascadeFile = Files.createTempFile("haarcascade_frontalface_default", ".xml");
            cascadeFile.toFile().deleteOnExit();
            Files.copy(in, cascadeFile, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pool.offer(newClassifier());
    }

    private CascadeClassifier newClassifier() {
        CascadeClassifier classifier = new CascadeClassifier(cascadeFile.toString());
        if (classifier.empty()) {
            throw new IllegalStateException("could not load the Haar cascade");
        }
        return classifier;
    }

    @Override
    public String name() {
        return "haar";
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        return detect(Frame.of(bgr), true);
    }

    /** Runs on the coarsest resolution of the frame that still has the detection size. */
    @Override
    public List<DetectedFace> detect(Frame frame, boolean retry) {
        if (frame.width() == 0 || frame.height() == 0) {
            return List.of();
        }
        Frame.View view = frame.view((double) Math.max(frame.width(), frame.height()) / detectMaxSide);
        Mat bgr = view.bgr();
        double scale = Math.min(1.0, (double) detectMaxSide / Math.max(bgr.cols(), bgr.rows()));
        CascadeClassifier classifier = pool.poll();
        if (classifier == null) {
            classifier = newClassifier();
        }
        Mat gray = new Mat();
        Mat small = new Mat();
        MatOfRect rects = new MatOfRect();
        try {
            Imgproc.cvtColor(bgr, gray, Imgproc.COLOR_BGR2GRAY);
            Mat input = gray;
            if (scale < 1.0) {
                Imgproc.resize(
                        gray,
                        small,
                        new Size(Math.round(gray.cols() * scale), Math.round(gray.rows() * scale)),
                        0,
                        0,
                        Imgproc.INTER_AREA);
                input = small;
            }
            double s = (double) bgr.cols() / input.cols();
            int minSide = Math.max(12, (int) Math.floor(minFaceSize / (s * view.reduction())));
            classifier.detectMultiScale(input, rects, 1.1, 5, 0, new Size(minSide, minSide), new Size());
            List<DetectedFace> found = new ArrayList<>();
            for (Rect r : rects.toArray()) {
                found.add(view.toFrame(new DetectedFace(r.x * s, r.y * s, r.width * s, r.height * s, List.of(), 1.0)));
            }
            return YuNetFaceDetector.largest(found, maxFaces);
        } finally {
            gray.release();
            small.release();
            rects.release();
            pool.offer(classifier);
        }
    }
}
