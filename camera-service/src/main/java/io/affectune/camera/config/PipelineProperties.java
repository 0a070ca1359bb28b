package io.affectune.camera.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the frame pipeline spends its CPU: how often a stream's frames are detected anew (between detections its faces
 * are followed) and how face crops of concurrent frames share emotion-service calls. application.yml maps each
 * setting to an environment variable; the defaults are the measured ones (camera-service README, "Benchmark").
 *
 * @param detectEvery         a stream's frames run the face detector at least every this many frames (1 = always)
 * @param trackLostDifference a followed face whose crop differs from its crop at the last detection by more than this
 *                            (mean absolute grey difference, 0-255) is lost: the frame is detected at once
 * @param batchMaxFaces       most face crops in one emotion-service batch call
 * @param batchMaxInFlight    most emotion-service calls at once; crops arriving meanwhile wait and leave together
 * @param batchWindow         how long a frame waits for others when a call could leave at once (0 = never waits)
 * @param classifyEvery       a stream's faces are classified at least every this many frames; the frames in between
 *                            show their last answer and add no observation to the mood smoothing (1 = every frame)
 * @param classifyInBackground whether a frame whose faces have a recent answer shows it at once while its own crops
 *                            are classified beside the stream (every classifyEvery frames), instead of waiting for
 *                            that classification ({@code StreamEmotions})
 * @param reuseMaxAge         the oldest answer a frame may show for its faces instead of waiting for a new one
 */
@ConfigurationProperties("camera.pipeline")
public record PipelineProperties(
        int detectEvery,
        double trackLostDifference,
        int batchMaxFaces,
        int batchMaxInFlight,
        Duration batchWindow,
        int classifyEvery,
        boolean classifyInBackground,
        Duration reuseMaxAge) {}
