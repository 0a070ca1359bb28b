package io.affectune.camera.analysis;

import io.affectune.camera.frame.FrameResult;
import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.emotion.EmotionClient;
import io.affectune.camera.emotion.EmotionPrediction;
import io.affectune.camera.emotion.ModelFraming;
import io.affectune.camera.playlist.Playlist;
import io.affectune.camera.playlist.PlaylistClient;
import io.affectune.camera.session.Session;
import io.affectune.camera.session.SessionUpdate;
import io.affectune.camera.vision.DecodedFrame;
import io.affectune.camera.vision.DetectedFace;
import io.affectune.camera.vision.FaceCropper;
import io.affectune.camera.vision.FaceDetector;
import io.affectune.camera.vision.ImageDecoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The per-frame pipeline: decode, detect, crop, one batch call to emotion-service, then (for a
 * session) tracking, mood smoothing and a playlist when the mood changes. Every Mat is released
 * here, whatever happens downstream.
 */
@Service
public class FrameAnalyzer {

    private static final String[] LANDMARK_NAMES = {"rightEye", "leftEye", "nose", "rightMouth", "leftMouth"};

    private final FaceDetector detector;
    private final ImageDecoder decoder;
    private final ModelFraming framing;
    private final EmotionClient emotions;
    private final PlaylistClient playlists;
    private final CameraProperties properties;
    private final Scheduler vision;
    private final Clock clock;
    private final Timer decodeTimer;
    private final Timer detectTimer;
    private final Timer classifyTimer;
    private final Timer totalTimer;
    private final Counter processed;
    private final Counter degradedFrames;

    public FrameAnalyzer(FaceDetector detector, ImageDecoder decoder, ModelFraming framing, EmotionClient emotions,
                         PlaylistClient playlists, CameraProperties properties,
                         @Qualifier("visionScheduler") Scheduler vision, Clock clock, MeterRegistry meters) {
        this.detector = detector;
        this.decoder = decoder;
        this.framing = framing;
        this.emotions = emotions;
        this.playlists = playlists;
        this.properties = properties;
        this.vision = vision;
        this.clock = clock;
        this.decodeTimer = stageTimer(meters, "decode");
        this.detectTimer = stageTimer(meters, "detect");
        this.classifyTimer = stageTimer(meters, "classify");
        this.totalTimer = stageTimer(meters, "total");
        this.processed = Counter.builder("camera.frames.processed").description("Frames analysed").register(meters);
        this.degradedFrames = Counter.builder("camera.frames.degraded")
                .description("Frames answered without emotions because emotion-service was unavailable").register(meters);
    }

    private static Timer stageTimer(MeterRegistry meters, String stage) {
        return Timer.builder("camera.frame.stage").tag("stage", stage).description("Time spent per frame and stage")
                .publishPercentiles(0.5, 0.95).register(meters);
    }

    public FrameAnalyzer.Detection detectOnly(byte[] image) {
        try (DecodedFrame frame = decoder.decode(image)) {
            return new Detection(detector.detect(frame.bgr()), frame.bgr().cols(), frame.bgr().rows());
        }
    }

    public record Detection(List<DetectedFace> faces, int width, int height) {
    }

    /** Analyses encoded image bytes (JPEG/PNG); bad input fails with an ApiProblem (4xx). */
    public Mono<FrameResult> analyze(byte[] image, Session session, boolean recommend) {
        return analyze(image, session, recommend, Optional.empty());
    }

    /** As above; a recommended playlist is the listener's personal one when listenerId is present. */
    public Mono<FrameResult> analyze(byte[] image, Session session, boolean recommend, Optional<String> listenerId) {
        return Mono.fromCallable(() -> {
                    long start = System.nanoTime();
                    DecodedFrame frame = decoder.decode(image);
                    try {
                        long decoded = System.nanoTime();
                        return prepare(frame.bgr(), frame.downscaled() ? new FrameResult.Size(frame.originalWidth(),
                                frame.originalHeight()) : null, start, decoded, session);
                    } finally {
                        frame.close();
                    }
                })
                .subscribeOn(vision)
                .flatMap(prepared -> finish(prepared, session, recommend, listenerId));
    }

    /** Analyses a frame that is already decoded (server-side sources); the caller keeps ownership of the Mat. */
    public Mono<FrameResult> analyze(Mat bgr, Session session) {
        return Mono.fromCallable(() -> {
                    long start = System.nanoTime();
                    return prepare(bgr, null, start, start, session);
                })
                .subscribeOn(vision)
                .flatMap(prepared -> finish(prepared, session, false, Optional.empty()));
    }

    private record Prepared(FrameResult.Size size, FrameResult.Size downscaledFrom, List<DetectedFace> faces,
                            List<byte[]> crops, long start, double decodeMs, double detectMs, Mat previewFrame) {
    }

    private Prepared prepare(Mat bgr, FrameResult.Size downscaledFrom, long start, long decoded, Session session) {
        List<DetectedFace> faces = detector.detect(bgr);
        List<byte[]> crops = new ArrayList<>(faces.size());
        for (DetectedFace face : faces) {
            Mat crop = FaceCropper.crop(bgr, face, framing.crop());
            try {
                crops.add(FaceCropper.png(crop));
            } finally {
                crop.release();
            }
        }
        long detected = System.nanoTime();
        Mat preview = session != null && session.wantsPreview() ? bgr.clone() : null;
        return new Prepared(new FrameResult.Size(bgr.cols(), bgr.rows()), downscaledFrom, faces, crops, start,
                ms(decoded - start), ms(detected - decoded), preview);
    }

    private Mono<FrameResult> finish(Prepared prepared, Session session, boolean recommend, Optional<String> listenerId) {
        AtomicReference<Mat> preview = new AtomicReference<>(prepared.previewFrame());
        long classifyStart = System.nanoTime();
        return emotions.classify(prepared.crops())
                .flatMap(answer -> {
                    double classifyMs = ms(System.nanoTime() - classifyStart);
                    List<EmotionPrediction> predictions = answer.orElse(null);
                    boolean degraded = answer.isEmpty();
                    Instant now = clock.instant();
                    SessionUpdate update = session == null ? null
                            : session.apply(prepared.faces(), predictions, now, properties.playlist().retryAfter());
                    List<FrameResult.Face> faces = faces(prepared.faces(), predictions, update);
                    Mono<Optional<Playlist>> playlist = Mono.just(Optional.empty());
                    if (update != null && update.playlistDue() != null) {
                        String emotion = update.playlistDue();
                        playlist = playlists.playlist(emotion, session.givenTrackIds())
                                .doOnNext(p -> p.ifPresent(json -> session.playlistDelivered(emotion, json)));
                    } else if (session == null && recommend && !faces.isEmpty() && faces.get(0).emotion() != null) {
                        playlist = playlists.playlist(faces.get(0).emotion(), List.of(), listenerId);
                    }
                    return playlist.map(p -> {
                        double totalMs = ms(System.nanoTime() - prepared.start());
                        record(prepared, classifyMs, totalMs, degraded);
                        return new FrameResult(
                                session == null ? null : session.id(),
                                update == null ? null : update.sequence(),
                                now, prepared.size(), prepared.downscaledFrom(), faces,
                                update == null ? null : update.mood(),
                                p.orElse(null),
                                new FrameResult.Timings(round(prepared.decodeMs()), round(prepared.detectMs()),
                                        round(classifyMs), round(totalMs), null),
                                session == null ? null : session.droppedFrames(),
                                degraded);
                    });
                })
                .doOnNext(result -> {
                    Mat frame = preview.getAndSet(null);
                    if (frame != null) {
                        try {
                            session.publishPreview(annotate(frame, result));
                        } finally {
                            frame.release();
                        }
                    }
                })
                .doFinally(signal -> {
                    Mat frame = preview.getAndSet(null);
                    if (frame != null) {
                        frame.release();
                    }
                });
    }

    private void record(Prepared prepared, double classifyMs, double totalMs, boolean degraded) {
        processed.increment();
        if (degraded && !prepared.faces().isEmpty()) {
            degradedFrames.increment();
        }
        decodeTimer.record((long) (prepared.decodeMs() * 1e6), TimeUnit.NANOSECONDS);
        detectTimer.record((long) (prepared.detectMs() * 1e6), TimeUnit.NANOSECONDS);
        classifyTimer.record((long) (classifyMs * 1e6), TimeUnit.NANOSECONDS);
        totalTimer.record((long) (totalMs * 1e6), TimeUnit.NANOSECONDS);
    }

    private static List<FrameResult.Face> faces(List<DetectedFace> detected, List<EmotionPrediction> predictions,
                                                SessionUpdate update) {
        List<FrameResult.Face> faces = new ArrayList<>(detected.size());
        for (int i = 0; i < detected.size(); i++) {
            DetectedFace f = detected.get(i);
            Map<String, FrameResult.Point> landmarks = new LinkedHashMap<>();
            for (int k = 0; k < f.landmarks().size() && k < LANDMARK_NAMES.length; k++) {
                landmarks.put(LANDMARK_NAMES[k], new FrameResult.Point(round(f.landmarks().get(k).x()),
                        round(f.landmarks().get(k).y())));
            }
            EmotionPrediction p = predictions == null ? null : predictions.get(i);
            faces.add(new FrameResult.Face(
                    update == null ? null : update.trackIds().get(i),
                    new FrameResult.Box((int) Math.round(f.x()), (int) Math.round(f.y()),
                            (int) Math.round(f.width()), (int) Math.round(f.height())),
                    landmarks.isEmpty() ? null : landmarks,
                    round(f.score()),
                    p == null ? null : p.emotion(),
                    p == null ? null : p.confidence(),
                    p == null ? null : p.probabilities()));
        }
        return faces;
    }

    private static byte[] annotate(Mat frame, FrameResult result) {
        Scalar color = new Scalar(80, 220, 80);
        for (FrameResult.Face face : result.faces()) {
            FrameResult.Box b = face.box();
            Imgproc.rectangle(frame, new Rect(b.x(), b.y(), b.width(), b.height()), color, 2);
            String label = (face.trackId() == null ? "" : "#" + face.trackId() + " ")
                    + (face.emotion() == null ? "?" : face.emotion() + String.format(" %.0f%%", 100 * face.confidence()));
            Imgproc.putText(frame, label, new Point(b.x(), Math.max(12, b.y() - 6)), Imgproc.FONT_HERSHEY_SIMPLEX,
                    0.5, color, 1);
        }
        if (result.mood() != null) {
            Imgproc.putText(frame, "mood: " + result.mood().emotion(), new Point(8, 20), Imgproc.FONT_HERSHEY_SIMPLEX,
                    0.6, new Scalar(255, 255, 255), 2);
        }
        MatOfByte jpeg = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 70);
        try {
            Imgcodecs.imencode(".jpg", frame, jpeg, params);
            return jpeg.toArray();
        } finally {
            jpeg.release();
            params.release();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
