package io.affectune.camera.analysis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The pipeline's meters, in one place so that {@link FrameAnalyzer} reads as the pipeline alone: frames processed
 * and degraded, per-stage times (decode, detect, classify, total) and how often detection ran or was skipped
 * because the session's faces were followed from an earlier detection.
 */
@Component
public class FrameMeters {

    private final Timer decode;
    private final Timer detect;
    private final Timer classify;
    private final Timer total;
    private final Counter processed;
    private final Counter degraded;
    private final Counter detections;
    private final Counter followed;
    private final Counter lost;

    public FrameMeters(MeterRegistry meters) {
        this.decode = stageTimer(meters, "decode");
        this.detect = stageTimer(meters, "detect");
        this.classify = stageTimer(meters, "classify");
        this.total = stageTimer(meters, "total");
        this.processed = Counter.builder("camera.frames.processed")
                .description("Frames analysed")
                .register(meters);
        this.degraded = Counter.builder("camera.frames.degraded")
                .description("Frames answered without emotions because emotion-service was unavailable")
                .register(meters);
        this.detections = Counter.builder("camera.detections")
                .tag("reason", "scheduled")
                .description("Face detector runs")
                .register(meters);
        this.lost = Counter.builder("camera.detections")
                .tag("reason", "track-lost")
                .description("Face detector runs")
                .register(meters);
        this.followed = Counter.builder("camera.frames.followed")
                .description("Session frames whose faces were followed from an earlier detection")
                .register(meters);
    }

    private static Timer stageTimer(MeterRegistry meters, String stage) {
        return Timer.builder("camera.frame.stage")
                .tag("stage", stage)
                .description("Time spent per frame and stage")
                .publishPercentiles(0.5, 0.95)
                .register(meters);
    }

    /** One answered frame: its stage times and whether it had faces but no emotions. */
    void frame(double decodeMs, double detectMs, double classifyMs, double totalMs, boolean degradedWithFaces) {
        processed.increment();
        if (degradedWithFaces) {
            degraded.increment();
        }
        decode.record((long) (decodeMs * 1e6), TimeUnit.NANOSECONDS);
        detect.record((long) (detectMs * 1e6), TimeUnit.NANOSECONDS);
        classify.record((long) (classifyMs * 1e6), TimeUnit.NANOSECONDS);
        total.record((long) (totalMs * 1e6), TimeUnit.NANOSECONDS);
    }

    void detected(boolean becauseLost) {
        (becauseLost ? lost : detections).increment();
    }

    void followed() {
        followed.increment();
    }
}
