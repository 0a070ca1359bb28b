package io.affectune.emotion;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the emotion service; application.yml maps each to an environment variable (see README).
 *
 * @param modelsDir         directory holding <model-id>/model.json; blank = ./models or ../models
 * @param defaultModel      model used when a request names none
 * @param maxBatchSize      most images in one ONNX Runtime run
 * @param maxBatchWait      longest a request waits for others to join its batch (only while more are being decoded)
 * @param queueCapacity     images waiting for inference before requests are refused with 503
 * @param queueDeadline     longest an image may wait for inference: refused at once (503) when the queue ahead
 *                          is estimated longer, not run when it waited longer anyway
 * @param inferenceThreads  threads per model that run ONNX Runtime batches side by side (off the event loop); 0 = one
 *                          per core
 * @param intraOpThreads    ONNX Runtime intra-op threads per run; 0 = one per core. Default 1: a 48x48 face network
 *                          barely gains from a second thread within one run (8.3 vs 8.8 ms at batch 1 on two cores),
 *                          while one thread per run and two runs side by side answered 1.4x the faces/s of one run
 *                          on two threads (emotion-service README, Figures)
 * @param intraOpSpinning   whether those threads busy-wait for work (fastest on cores of its own; false leaves idle time to other processes)
 * @param decodeThreads     threads that decode and preprocess images; 0 = one per core
 * @param inlineDecodeMaxPixels images up to this many pixels are decoded on the event loop (sub-millisecond)
 * @param maxImageSize      largest accepted image body (and multipart part)
 * @param maxImagePixels    decode budget: largest accepted width x height (progressive JPEG and interlaced PNG
 *                          pixels count progressiveWeight times), checked from the header before decoding
 * @param progressiveWeight what one progressive/interlaced pixel counts for in that budget
 * @param maxBatchBodySize  largest multipart batch body; a body without a boundary or an end is refused by then
 * @param maxBatchImages    most image parts in one batch request
 * @param retryAfter        Retry-After sent with 503 answers
 * @param paceEarlyRetries  whether a keep-alive connection that asks again before the Retry-After of its last 503
 *                          gets that request's 503 held until then (a client that never backs off cannot flood
 *                          the service with requests that are refused anyway)
 * @param shedEarly         whether a single-image prediction that the queue would keep past its deadline is
 *                          refused from its request head, before its body is read or the web stack sees it
 */
@ConfigurationProperties("emotion")
public record EmotionProperties(
        String modelsDir,
        String defaultModel,
        int maxBatchSize,
        Duration maxBatchWait,
        int queueCapacity,
        Duration queueDeadline,
        int inferenceThreads,
        int intraOpThreads,
        boolean intraOpSpinning,
        int decodeThreads,
        long inlineDecodeMaxPixels,
        DataSize maxImageSize,
        long maxImagePixels,
        int progressiveWeight,
        DataSize maxBatchBodySize,
        int maxBatchImages,
        Duration retryAfter,
        boolean paceEarlyRetries,
        boolean shedEarly) {

    public EmotionProperties {
        if (maxBatchSize < 1 || queueCapacity < 1 || maxBatchImages < 1) {
            throw new IllegalArgumentException("EMOTION_MAX_BATCH_SIZE, EMOTION_QUEUE_CAPACITY and "
                    + "EMOTION_MAX_BATCH_IMAGES must be at least 1");
        }
        if (inferenceThreads < 0 || intraOpThreads < 0) {
            throw new IllegalArgumentException(
                    "EMOTION_INFERENCE_THREADS and EMOTION_INTRA_OP_THREADS must be 0 (one per core) or more");
        }
        if (maxImagePixels < 1
                || maxImageSize.toBytes() < 1
                || progressiveWeight < 1
                || maxBatchBodySize.toBytes() < 1) {
            throw new IllegalArgumentException("EMOTION_MAX_IMAGE_PIXELS, EMOTION_MAX_IMAGE_SIZE, "
                    + "EMOTION_PROGRESSIVE_WEIGHT and EMOTION_MAX_BATCH_BODY_SIZE must be positive");
        }
    }

    public int effectiveInferenceThreads() {
        return inferenceThreads > 0 ? inferenceThreads : Runtime.getRuntime().availableProcessors();
    }

    public int effectiveDecodeThreads() {
        return decodeThreads > 0 ? decodeThreads : Runtime.getRuntime().availableProcessors();
    }
}
