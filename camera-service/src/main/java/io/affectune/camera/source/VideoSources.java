package io.affectune.camera.source;

import io.affectune.camera.analysis.FrameAnalyzer;
import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.feed.SessionFeeds;
import io.affectune.camera.session.InstanceIds;
import io.affectune.camera.session.Session;
import io.affectune.camera.vision.OpenCv;
import io.affectune.support.problem.ApiProblem;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.opencv.core.Mat;
import org.opencv.videoio.VideoCapture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Server-side video inputs opened with OpenCV VideoCapture: a camera index (V4L2), a video file, or a
 * stream URL where this OpenCV build can open it (the openpnp build has no FFmpeg, so files are
 * limited to OpenCV's own MJPEG/AVI reader and network streams generally do not open). Each source
 * reads on its own thread, at most {@code fps} frames per second, and feeds a session.
 */
@Component
public class VideoSources {

    private static final Logger log = LoggerFactory.getLogger(VideoSources.class);
    private static final Pattern CAMERA_INDEX = Pattern.compile("\\d{1,2}");

    public enum State {
        RUNNING,
        ENDED,
        FAILED,
        STOPPED
    }

    public record SourceView(String id, String uri, String sessionId, int fps, State state, long frames) {}

    private final FrameAnalyzer analyzer;
    private final SessionFeeds feeds;
    private final CameraProperties properties;
    private final Clock clock;
    private final InstanceIds ids;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "video-source");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Running> sources = new ConcurrentHashMap<>();

    public VideoSources(
            FrameAnalyzer analyzer, SessionFeeds feeds, CameraProperties properties, Clock clock, InstanceIds ids) {
        this.analyzer = analyzer;
        this.feeds = feeds;
        this.ids = ids;
        this.properties = properties;
        this.clock = clock;
        OpenCv.ensureLoaded();
    }

    private final class Running implements Runnable {
        final String id = ids.newId();
        final String uri;
        final Session session;
        final int fps;
        final VideoCapture capture;
        volatile State state = State.RUNNING;
        volatile long frames;

        Running(String uri, Session session, int fps, VideoCapture capture) {
            this.uri = uri;
            this.session = session;
            this.fps = fps;
            this.capture = capture;
        }

        @Override
        public void run() {
            Mat frame = new Mat();
            long interval = 1_000_000_000L / fps;
            try {
                while (state == State.RUNNING && !session.isClosed()) {
                    long started = System.nanoTime();
                    if (!capture.read(frame) || frame.empty()) {
                        state = State.ENDED;
                        break;
                    }
                    analyzer.analyze(frame, session)
                            .doOnNext(result -> feeds.publish(session, result))
                            .block(Duration.ofSeconds(30));
                    frames++;
                    long wait = interval - (System.nanoTime() - started);
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("Video source {} failed: {}", id, e.toString());
                state = State.FAILED;
            } finally {
                frame.release();
                capture.release();
                session.inputDetached(clock.instant());
                if (state == State.RUNNING) {
                    state = State.STOPPED;
                }
            }
        }

        SourceView view() {
            return new SourceView(id, uri, session.id(), fps, state, frames);
        }
    }

    /**
     * Opens the source, then takes its session from {@code session} (so that a refused source creates no
     * session and spends none of the client's session allowance).
     */
    public SourceView open(String uri, Supplier<Session> sessionFor, Integer requestedFps) {
        if (uri == null || uri.isBlank()) {
            throw badUri("uri is required: a camera index (0), a video file path or file: URI, or a stream URL");
        }
        int fps = requestedFps == null ? properties.source().defaultFps() : requestedFps;
        if (fps < 1 || fps > 60) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "Bad frame rate", "fps must be between 1 and 60");
        }
        long running =
                sources.values().stream().filter(s -> s.state == State.RUNNING).count();
        if (running >= properties.source().maxSources()) {
            throw new ApiProblem(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "Too many sources",
                    "At most " + properties.source().maxSources() + " sources may run at once; DELETE one first");
        }
        VideoCapture capture = openCapture(uri.trim(), fileDirectory());
        Session session;
        try {
            session = sessionFor.get();
        } catch (RuntimeException e) {
            capture.release();
            throw e;
        }
        Running source = new Running(uri.trim(), session, fps, capture);
        session.inputAttached();
        sources.put(source.id, source);
        threads.execute(source);
        log.info("Video source {} started for session {}", source.id, session.id());
        return source.view();
    }

    /** The directory file sources may come from (real path), or null when file sources are off. */
    private Path fileDirectory() {
        String dir = properties.source().fileDirectory();
        if (dir == null || dir.isBlank()) {
            return null;
        }
        try {
            return Path.of(dir).toRealPath();
        } catch (IOException | RuntimeException e) {
            log.warn("SOURCE_FILE_DIR {} cannot be read ({}): file sources are off", dir, e.toString());
            return null;
        }
    }

    private static VideoCapture openCapture(String uri, Path fileDirectory) {
        VideoCapture capture;
        if (CAMERA_INDEX.matcher(uri).matches()) {
            capture = new VideoCapture(Integer.parseInt(uri));
        } else {
            URI parsed;
            try {
                parsed = uri.startsWith("/") ? Path.of(uri).toUri() : URI.create(uri);
            } catch (IllegalArgumentException e) {
                throw badUri("'" + uri + "' is not a valid URI or path");
            }
            String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase();
            switch (scheme) {
                case "file" -> capture = openFile(Path.of(parsed), fileDirectory);
                case "http", "https", "rtsp", "rtmp" -> capture = new VideoCapture(uri);
                default ->
                    throw badUri("Unsupported source '" + uri
                            + "': use a camera index, an absolute file path, file:, http(s):, rtsp: or rtmp:");
            }
        }
        if (!capture.isOpened()) {
            capture.release();
            throw badUri("OpenCV could not open '" + uri + "' (no such camera, unsupported codec or stream, "
                    + "or this OpenCV build lacks the needed backend)");
        }
        return capture;
    }

    /**
     * A video file, only from the configured directory. Every failure (outside it, missing, unreadable, not a
     * video) gets the same answer, so that the API cannot be used to learn which files exist on the server
     * (it runs as root in containers).
     */
    private static VideoCapture openFile(Path requested, Path fileDirectory) {
        if (fileDirectory == null) {
            throw new ApiProblem(
                    HttpStatus.FORBIDDEN,
                    "File sources are off",
                    "Server-side video files are off; the operator can allow one directory with SOURCE_FILE_DIR");
        }
        String name =
                requested.getFileName() == null ? "" : requested.getFileName().toString();
        ApiProblem unusable = badUri("No usable video file '" + name + "' in the source directory (SOURCE_FILE_DIR)");
        Path real;
        try {
            real = requested.toRealPath(); // follows links: a link out of the directory stays outside
        } catch (IOException | RuntimeException e) {
            throw unusable;
        }
        if (!real.startsWith(fileDirectory) || !Files.isRegularFile(real) || !Files.isReadable(real)) {
            throw unusable;
        }
        VideoCapture capture = new VideoCapture(real.toString());
        if (!capture.isOpened()) {
            capture.release();
            throw unusable;
        }
        return capture;
    }

    private static ApiProblem badUri(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "Bad source", detail);
    }

    public Optional<SourceView> find(String id) {
        return Optional.ofNullable(sources.get(id)).map(Running::view);
    }

    public Collection<SourceView> all() {
        return sources.values().stream().map(Running::view).toList();
    }

    public boolean stop(String id) {
        Running source = sources.remove(id);
        if (source == null) {
            return false;
        }
        if (source.state == State.RUNNING) {
            source.state = State.STOPPED;
        }
        return true;
    }

    @PreDestroy
    void shutdown() {
        sources.values().forEach(s -> s.state = State.STOPPED);
        threads.shutdown();
    }

    Instant now() {
        return clock.instant();
    }
}
