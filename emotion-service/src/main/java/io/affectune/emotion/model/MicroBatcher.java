package io.affectune.emotion.model;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.OnnxClassifier;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gathers images from concurrent requests into one ONNX Runtime run. Dedicated worker threads take
 * the first waiting image, then add whatever else is queued, up to the batch size. They wait (at
 * most the configured time) for more only while other requests are still being decoded, so a lone
 * request never waits for company that is not coming.
 */
public final class MicroBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);

    private record Job(float[] tensor, CompletableFuture<float[]> result) {
    }

    private final OnnxClassifier classifier;
    private final FacePreprocessor preprocessor;
    private final boolean flipTta;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    private final AtomicInteger preparing = new AtomicInteger();
    private final List<Thread> workers = new ArrayList<>();
    private final Timer inferenceTimer;
    private final DistributionSummary batchSizes;
    private volatile boolean running = true;

    public MicroBatcher(String modelId, OnnxClassifier classifier, FacePreprocessor preprocessor, boolean flipTta,
                        int maxBatchSize, Duration maxWait, int queueCapacity, int threads,
                        Timer inferenceTimer, DistributionSummary batchSizes) {
        this.classifier = classifier;
        this.preprocessor = preprocessor;
        this.flipTta = flipTta;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.inferenceTimer = inferenceTimer;
        this.batchSizes = batchSizes;
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(this::work, "inference-" + modelId + "-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    /** Marks that a request has started decoding an image that will be submitted soon. */
    public void preparing() {
        preparing.incrementAndGet();
    }

    /** Withdraws an announcement of {@link #preparing()} without submitting (bad image, or decoding done). */
    public void preparationEnded() {
        preparing.decrementAndGet();
    }

    /**
     * Submits an image announced with {@link #preparing()}. The announcement is withdrawn before
     * the image is queued, so that a worker seeing it never waits for an image already in the queue.
     */
    public CompletableFuture<float[]> submitPrepared(float[] tensor) {
        preparing.decrementAndGet();
        return submit(tensor);
    }

    /**
     * Queues one preprocessed image; the future completes with its class probabilities.
     *
     * @throws QueueFullException when the queue is at capacity (the caller answers 503)
     */
    public CompletableFuture<float[]> submit(float[] tensor) {
        if (!running) {
            throw new IllegalStateException("the model is shutting down");
        }
        CompletableFuture<float[]> result = new CompletableFuture<>();
        if (!queue.offer(new Job(tensor, result))) {
            throw new QueueFullException(queue.size());
        }
        return result;
    }

    /**
     * Queues the images of one batch request so that they are run together: the worker keeps
     * gathering while the rest are still being queued.
     */
    public List<CompletableFuture<float[]>> submitAll(List<float[]> tensors) {
        preparing.addAndGet(tensors.size());
        List<CompletableFuture<float[]>> futures = new ArrayList<>(tensors.size());
        int queued = 0;
        try {
            for (float[] tensor : tensors) {
                futures.add(submit(tensor));
                queued++;
                preparing.decrementAndGet();
            }
        } finally {
            preparing.addAndGet(-(tensors.size() - queued));
        }
        return futures;
    }

    public int queueDepth() {
        return queue.size();
    }

    private void work() {
        List<Job> batch = new ArrayList<>(maxBatchSize);
        while (running) {
            try {
                Job first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                gatherMore(batch);
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
    }

    private void gatherMore(List<Job> batch) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatchSize) {
            queue.drainTo(batch, maxBatchSize - batch.size());
            if (batch.size() >= maxBatchSize || preparing.get() == 0) {
                return;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            Job next = queue.poll(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
    }

    private void run(List<Job> batch) {
        List<float[]> tensors = new ArrayList<>(batch.size());
        for (Job job : batch) {
            tensors.add(job.tensor());
        }
        long started = System.nanoTime();
        try {
            float[][] probabilities = OnnxClassifier.classifyWithTta(classifier, preprocessor, tensors, flipTta);
            inferenceTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            batchSizes.record(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(probabilities[i]);
            }
        } catch (RuntimeException e) {
            log.error("inference failed for a batch of {}", batch.size(), e);
            for (Job job : batch) {
                job.result().completeExceptionally(e);
            }
        }
    }

    /** Stops the workers, fails what is still queued, then closes the ONNX session. */
    @Override
    public void close() {
        running = false;
        for (Thread worker : workers) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("the service is shutting down"));
        }
        classifier.close();
    }
}
