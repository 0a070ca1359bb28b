package io.affectune.camera.analysis;

import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.config.PipelineProperties;
import io.affectune.camera.emotion.EmotionPrediction;
import io.affectune.camera.emotion.ModelFraming;
import io.affectune.camera.feed.SessionFeeds;
import io.affectune.camera.frame.FrameResult;
import io.affectune.camera.playlist.PlaylistClient;
import io.affectune.camera.session.FaceBox;
import io.affectune.camera.session.Mood;
import io.affectune.camera.session.Playlist;
import io.affectune.camera.session.Session;
import io.affectune.camera.session.SessionUpdate;
import io.affectune.camera.vision.DetectedFace;
import io.affectune.camera.vision.FaceCropper;
import io.affectune.camera.vision.FaceDetector;
import io.affectune.camera.vision.FaceFollower;
import io.affectune.camera.vision.Frame;
import io.affectune.camera.vision.ImageDecoder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The per-frame pipeline: decode, detect (for a stream, only every few frames while its faces can be followed),
 * crop, classify (in a batch shared with concurrent frames, {@link EmotionBatcher}), then (for a session)
 * tracking, mood smoothing and a playlist when the mood changes. Its meters are {@link FrameMeters}, the preview
 * drawing {@link PreviewDrawing}. Every Mat is released here, whatever happens downstream.
 */
@Service
public class FrameAnalyzer {

    private static final String[] LANDMARK_NAMES = {"rightEye", "leftEye", "nose", "rightMouth", "leftMouth"};

    private final FaceDetector detector;
    private final ImageDecoder decoder;
    private final ModelFraming framing;
    private final EmotionBatcher emotions;
    private final PlaylistClient playlists;
    private final CameraProperties properties;
    private final PipelineProperties pipeline;
    private final Scheduler vision;
    private final Clock clock;
    private final FrameMeters meters;
    private final SessionFeeds feeds;
    /** Each stream's faces between detections and their last answers; forgotten with the session (weak keys). */
    private final Map<Session, StreamState> streams = Collections.synchronizedMap(new WeakHashMap<>());

    /** A stream's followed faces and its last emotion-service answer. */
    private record StreamState(FaceFollower follower, StreamEmotions emotions) {}

    public FrameAnalyzer(
            FaceDetector detector,
            ImageDecoder decoder,
            ModelFraming framing,
            EmotionBatcher emotions,
            PlaylistClient playlists,
            CameraProperties properties,
            PipelineProperties pipeline,
            @Qualifier("visionScheduler") Scheduler vision,
            Clock clock,
            FrameMeters meters,
            SessionFeeds feeds) {
        this.detector = detector;
        this.decoder = decoder;
        this.framing = framing;
        this.emotions = emotions;
        this.playlists = playlists;
        this.properties = properties;
        this.pipeline = pipeline;
        this.vision = vision;
        this.clock = clock;
        this.meters = meters;
        this.feeds = feeds;
    }

    /** Analyses encoded image bytes (JPEG/PNG); bad input fails with an ApiProblem (4xx). */
    public Mono<FrameResult> analyze(byte[] image, Session session, boolean recommend) {
        return analyze(image, session, recommend, Optional.empty());
    }

    /** As above; a recommended playlist is the listener's personal one when listenerId is present. */
    public Mono<FrameResult> analyze(byte[] image, Session session, boolean recommend, Optional<String> listenerId) {
        return Mono.fromCallable(() -> {
                    long start = System.nanoTime();
                    try (Frame frame = decoder.decode(image)) {
                        long decoded = System.nanoTime();
                        return prepare(
                                frame,
                                frame.downscaled()
                                        ? new FrameResult.Size(frame.originalWidth(), frame.originalHeight())
                                        : null,
                                start,
                                decoded,
                                session);
                    }
                })
                .subscribeOn(vision)
                .flatMap(prepared -> finish(prepared, session, recommend, listenerId));
    }

    /** Analyses a frame that is already decoded (server-side sources); the caller keeps ownership of the Mat. */
    public Mono<FrameResult> analyze(Mat bgr, Session session) {
        return Mono.fromCallable(() -> {
                    long start = System.nanoTime();
                    try (Frame frame = Frame.of(bgr)) {
                        return prepare(frame, null, start, start, session);
                    }
                })
                .subscribeOn(vision)
                .flatMap(prepared -> finish(prepared, session, false, Optional.empty()));
    }

    private record Prepared(
            FrameResult.Size size,
            FrameResult.Size downscaledFrom,
            List<DetectedFace> faces,
            List<byte[]> crops,
            long start,
            double decodeMs,
            double detectMs,
            Mat previewFrame,
            StreamState stream) {}

    /**
     * Detects (or follows) and crops on the frame's coarsest resolution that serves each step ({@link Frame}): a
     * JPEG's full resolution is decoded only for a retry at a larger detection size, crops of faces too small for
     * the reduced copy, or a preview.
     */
    private Prepared prepare(Frame frame, FrameResult.Size downscaledFrom, long start, long decoded, Session session) {
        StreamState stream = session == null
                ? null
                : streams.computeIfAbsent(
                        session,
                        s -> new StreamState(
                                pipeline.detectEvery() <= 1
                                        ? null
                                        : new FaceFollower(pipeline.detectEvery(), pipeline.trackLostDifference()),
                                new StreamEmotions(
                                        pipeline.classifyEvery(),
                                        pipeline.classifyInBackground(),
                                        pipeline.reuseMaxAge().toNanos())));
        FaceFollower follower = stream == null ? null : stream.follower();
        List<DetectedFace> faces = null;
        Crops crops = null;
        boolean lost = false;
        if (follower != null) {
            Optional<List<DetectedFace>> previous = follower.followable(frame.width(), frame.height());
            if (previous.isPresent()) {
                Crops cut = cut(frame, previous.get());
                if (follower.stillThere(previous.get(), cut.grey())) {
                    faces = previous.get();
                    crops = cut;
                    meters.followed();
                } else {
                    lost = true;
                }
            }
        }
        if (crops == null) {
            boolean retry = follower == null || follower.retryDue();
            faces = detector.detect(frame, retry);
            meters.detected(lost);
            crops = cut(frame, faces);
            if (follower != null) {
                follower.detected(faces, crops.grey(), frame.width(), frame.height(), retry);
            }
        }
        long detected = System.nanoTime();
        Mat preview =
                session != null && feeds.wantsPreview(session) ? frame.full().clone() : null;
        return new Prepared(
                new FrameResult.Size(frame.width(), frame.height()),
                downscaledFrom,
                faces,
                crops.png(),
                start,
                ms(decoded - start),
                ms(detected - decoded),
                preview,
                stream);
    }

    /** The faces' crops: grey pixels (to follow them) and PNG bytes (for emotion-service). */
    private record Crops(List<byte[]> grey, List<byte[]> png) {}

    /** Cut at the coarsest resolution at which every face's crop square still has the model's input size or more. */
    private Crops cut(Frame frame, List<DetectedFace> faces) {
        List<byte[]> grey = new ArrayList<>(faces.size());
        List<byte[]> png = new ArrayList<>(faces.size());
        if (faces.isEmpty()) {
            return new Crops(grey, png);
        }
        Frame.View view = frame.view(FaceCropper.maxReduction(faces, framing.crop()));
        // one grey copy of the frame for all its faces (the cropper would convert the frame once per face)
        Mat frameGrey = new Mat();
        try {
            Imgproc.cvtColor(view.bgr(), frameGrey, Imgproc.COLOR_BGR2GRAY);
            for (DetectedFace face : faces) {
                Mat crop = FaceCropper.crop(frameGrey, view.fromFrame(face), framing.crop());
                try {
                    byte[] pixels = new byte[(int) crop.total()];
                    crop.get(0, 0, pixels);
                    grey.add(pixels);
                    png.add(FaceCropper.png(crop));
                } finally {
                    crop.release();
                }
            }
        } finally {
            frameGrey.release();
        }
        return new Crops(grey, png);
    }

    private Mono<FrameResult> finish(
            Prepared prepared, Session session, boolean recommend, Optional<String> listenerId) {
        AtomicReference<Mat> preview = new AtomicReference<>(prepared.previewFrame());
        long classifyStart = System.nanoTime();
        StreamState stream = prepared.stream();
        List<DetectedFace> detectedFaces = prepared.faces();
        StreamEmotions.Plan plan =
                stream == null ? StreamEmotions.Plan.WAIT : stream.emotions().plan(detectedFaces, classifyStart);
        Mono<Optional<List<EmotionPrediction>>> classified;
        if (plan.waits()) {
            classified = emotions.classify(prepared.crops()).doOnNext(answer -> {
                if (stream != null) {
                    stream.emotions().classified(detectedFaces, answer, classifyStart);
                }
            });
        } else {
            classified = Mono.just(Optional.of(plan.shown()));
            if (plan.refresh()) {
                // classified beside the stream, in the background lane: the next frame shows (and observes) the answer
                emotions.refresh(prepared.crops())
                        .subscribe(
                                answer -> stream.emotions().refreshed(detectedFaces, answer, classifyStart),
                                error -> stream.emotions().refreshed(detectedFaces, Optional.empty(), classifyStart));
            }
        }
        return classified
                .flatMap(answer -> {
                    double classifyMs = ms(System.nanoTime() - classifyStart);
                    List<EmotionPrediction> predictions = answer.orElse(null);
                    boolean degraded = answer.isEmpty();
                    Instant now = clock.instant();
                    // reused answers are shown again but are no new observation for the session's smoothing
                    SessionUpdate update = session == null
                            ? null
                            : session.apply(
                                    boxes(prepared.faces()),
                                    plan.observe() ? probabilities(predictions) : null,
                                    now,
                                    properties.playlist().retryAfter());
                    List<FrameResult.Face> faces = faces(prepared.faces(), predictions, update);
                    Mono<Optional<Playlist>> playlist = Mono.just(Optional.empty());
                    if (update != null && update.playlistDue() != null) {
                        String emotion = update.playlistDue();
                        playlist = playlists
                                .playlist(emotion, session.givenTrackIds())
                                .doOnNext(p -> p.ifPresent(json -> session.playlistDelivered(emotion, json)));
                    } else if (session == null
                            && recommend
                            && !faces.isEmpty()
                            && faces.get(0).emotion() != null) {
                        playlist = playlists.playlist(faces.get(0).emotion(), List.of(), listenerId);
                    }
                    return playlist.map(p -> {
                        double totalMs = ms(System.nanoTime() - prepared.start());
                        meters.frame(
                                prepared.decodeMs(),
                                prepared.detectMs(),
                                classifyMs,
                                totalMs,
                                degraded && !prepared.faces().isEmpty());
                        return new FrameResult(
                                session == null ? null : session.id(),
                                update == null ? null : update.sequence(),
                                now,
                                prepared.size(),
                                prepared.downscaledFrom(),
                                faces,
                                update == null || update.mood() == null ? null : mood(update.mood()),
                                p.orElse(null),
                                new FrameResult.Timings(
                                        round(prepared.decodeMs()),
                                        round(prepared.detectMs()),
                                        round(classifyMs),
                                        round(totalMs),
                                        null,
                                        predictions == null || predictions.isEmpty()
                                                ? null
                                                : round(ms(plan.ageNanos()))),
                                session == null ? null : session.droppedFrames(),
                                degraded);
                    });
                })
                .doOnNext(result -> {
                    Mat frame = preview.getAndSet(null);
                    if (frame != null) {
                        try {
                            feeds.publishPreview(session, PreviewDrawing.annotate(frame, result));
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

    private static List<FaceBox> boxes(List<DetectedFace> faces) {
        return faces.stream().map(StreamEmotions::box).toList();
    }

    private static List<Map<String, Double>> probabilities(List<EmotionPrediction> predictions) {
        return predictions == null
                ? null
                : predictions.stream().map(EmotionPrediction::probabilities).toList();
    }

    private static FrameResult.Mood mood(Mood mood) {
        return new FrameResult.Mood(mood.emotion(), mood.confidence(), mood.since(), mood.lockedUntil());
    }

    private static List<FrameResult.Face> faces(
            List<DetectedFace> detected, List<EmotionPrediction> predictions, SessionUpdate update) {
        List<FrameResult.Face> faces = new ArrayList<>(detected.size());
        for (int i = 0; i < detected.size(); i++) {
            DetectedFace f = detected.get(i);
            Map<String, FrameResult.Point> landmarks = new LinkedHashMap<>();
            for (int k = 0; k < f.landmarks().size() && k < LANDMARK_NAMES.length; k++) {
                landmarks.put(
                        LANDMARK_NAMES[k],
                        new FrameResult.Point(
                                round(f.landmarks().get(k).x()),
                                round(f.landmarks().get(k).y())));
            }
            EmotionPrediction p = predictions == null ? null : predictions.get(i);
            faces.add(new FrameResult.Face(
                    update == null ? null : update.trackIds().get(i),
                    new FrameResult.Box(
                            (int) Math.round(f.x()), (int) Math.round(f.y()), (int) Math.round(f.width()), (int)
                                    Math.round(f.height())),
                    landmarks.isEmpty() ? null : landmarks,
                    round(f.score()),
                    p == null ? null : p.emotion(),
                    p == null ? null : p.confidence(),
                    p == null ? null : p.probabilities()));
        }
        return faces;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
