package io.affectune.emotion.model;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.OnnxClassifier;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers images from concurrent requests into one ONNX Runtime run. The queue holds rows, one per network pass: an
 * image, and when the manifest asks for flip TTA its mirror too, queued right behind it as a row of its own; the
 * image's answer is the two rows' outputs combined ({@link OnnxClassifier#combineMirrored}). Dedicated worker threads
 * take the first waiting row, then add whatever else is queued, up to the batch size. They wait (at
 * most the configured time) for more only while other requests are still being decoded, so a lone
 * request never waits for company that is not coming. While other workers are idle, a worker takes only its share
 * of what is waiting, so that idle cores shorten the answer: a lone image and its mirror run side by side on two
 * workers, each on its own core (half the time of the two passes in one run), a lone batch request of 8 images
 * as two runs of 8 rows; under load every worker is busy and batches fill up.
 *
 * <p>Overload is shed early, by queueing deadline: {@link #admit} estimates how long the images already
 * queued or being decoded will keep a new one from starting (their number x the measured time per image,
 * over the worker threads) and refuses at once, before the image is decoded, when that is longer than the
 * request's budget. An image that waited twice its budget anyway is not run. Refusing costs microseconds;
 * admitted requests keep a bounded latency and the cores go to work whose answer someone still waits for.
 *
 * <p>A model has two: one for requests someone waits for, and one for background work ({@link Lane}): label
 * refreshes of camera streams, which no frame waits for. Each has its own queue and workers, so an interactive image
 * never queues behind background rows, and the background workers run at the lowest thread priority, so that the
 * operating system gives the cores to interactive runs first when both want them (with {@code
 * -XX:ThreadPriorityPolicy=1}, which the launcher and the images set; without it the JVM ignores thread priorities on
 * Linux and the lanes only keep the queues apart). The ONNX Runtime session is shared: runs are thread-safe.
 */
public final class MicroBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);

    /** Which requests a batcher serves, and at which thread priority its workers run. */
    public enum Lane {
        /** Requests whose caller waits for the answer (the default). */
        INTERACTIVE("", Thread.NORM_PRIORITY),
        /** Requests that said they are less urgent than the default (RFC 9218 {@code Priority: u=4} to {@code 7}). */
        BACKGROUND("-background", Thread.MIN_PRIORITY);

        private final String threadSuffix;
        private final int threadPriority;

        Lane(String threadSuffix, int threadPriority) {
            this.threadSuffix = threadSuffix;
            this.threadPriority = threadPriority;
        }
    }

    /** One row: a preprocessed image or its mirror; the future completes with the model's raw output for it. */
    private record Job(float[] tensor, CompletableFuture<float[]> result, long deadlineNanos) {}

    private final OnnxClassifier classifier;
    private final FacePreprocessor preprocessor;
    /** Rows per image: 2 with flip TTA (the image and its mirror), else 1. */
    private final int passes;
    /** Rows per run at most. */
    private final int maxBatchSize;

    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    /** Rows of images being decoded (announced by {@link #preparing()}) or about to be queued. */
    private final AtomicInteger preparing = new AtomicInteger();
    /** Workers waiting for work. */
    private final AtomicInteger idle = new AtomicInteger();
    /** Rows that gathering workers have yet to take within their share: not there for another worker to take. */
    private final AtomicInteger claimed = new AtomicInteger();

    private final List<Thread> workers = new ArrayList<>();
    private final Timer inferenceTimer;
    private final DistributionSummary batchSizes;
    private final int threads;
    /** Inference time per row, a moving average of the last runs; 0 until the first run. */
    private volatile double nanosPerRow;

    private volatile boolean running = true;

    /**
     * @param flipTta whether each image is run with its horizontal mirror (the manifest's consumer-side flip TTA)
     * @param maxBatchSize images per run at most (with flip TTA, twice as many rows)
     * @param queueCapacity images that may wait at most
     */
    public MicroBatcher(
            String modelId,
            Lane lane,
            OnnxClassifier classifier,
            FacePreprocessor preprocessor,
            boolean flipTta,
            int maxBatchSize,
            Duration maxWait,
            int queueCapacity,
            int threads,
            Timer inferenceTimer,
            DistributionSummary batchSizes) {
        this.classifier = classifier;
        this.preprocessor = preprocessor;
        this.passes = flipTta ? 2 : 1;
        this.maxBatchSize = maxBatchSize * passes;
        this.maxWaitNanos = maxWait.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity * passes);
        this.inferenceTimer = inferenceTimer;
        this.batchSizes = batchSizes;
        this.threads = threads;
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(this::work, "inference-" + modelId + lane.threadSuffix + "-" + i);
            worker.setDaemon(true);
            worker.setPriority(lane.threadPriority);
            worker.start();
            workers.add(worker);
        }
    }

    /** How long an image admitted now would wait before its inference starts, by the current queue. */
    public long estimatedWaitNanos() {
        return (long) ((queue.size() + preparing.get()) * nanosPerRow / threads);
    }

    /**
     * Admission by queueing deadline.
     *
     * @return the time (System.nanoTime() scale) after which the image, if still queued, is not run: twice the
     *         budget, so that an estimate a little short does not throw away work already decoded, while work
     *         whose caller has surely given up is still skipped
     * @throws QueueFullException (answered 503 + Retry-After) when the queue would make it wait longer
     */
    public long admit(Duration budget) {
        long wait = estimatedWaitNanos();
        if (wait > budget.toNanos()) {
            throw new QueueFullException("busy: the images ahead would keep this one waiting about "
                    + TimeUnit.NANOSECONDS.toMillis(wait) + " ms, more than its " + budget.toMillis()
                    + " ms deadline (EMOTION_QUEUE_DEADLINE); retry shortly");
        }
        return System.nanoTime() + 2 * budget.toNanos();
    }

    /** Marks that a request has started decoding an image that will be submitted soon. */
    public void preparing() {
        preparing.addAndGet(passes);
    }

    /** Withdraws an announcement of {@link #preparing()} without submitting (bad image, or decoding done). */
    public void preparationEnded() {
        preparing.addAndGet(-passes);
    }

    /** Submits an image announced with {@link #preparing()}; as {@link #submit}. */
    public CompletableFuture<float[]> submitPrepared(float[] tensor, long deadlineNanos) {
        return enqueue(tensor, deadlineNanos);
    }

    /**
     * Queues one preprocessed image; the future completes with its class probabilities.
     *
     * @throws QueueFullException when the queue is at capacity (the caller answers 503)
     */
    public CompletableFuture<float[]> submit(float[] tensor, long deadlineNanos) {
        preparing();
        return enqueue(tensor, deadlineNanos);
    }

    /**
     * Queues the images of one batch request so that they are run together: the worker keeps
     * gathering while the rest are still being queued.
     */
    public List<CompletableFuture<float[]>> submitAll(List<float[]> tensors, long deadlineNanos) {
        int announced = tensors.size();
        preparing.addAndGet(announced * passes);
        List<CompletableFuture<float[]>> futures = new ArrayList<>(tensors.size());
        try {
            for (float[] tensor : tensors) {
                announced--;
                futures.add(enqueue(tensor, deadlineNanos));
            }
        } finally {
            preparing.addAndGet(-announced * passes);
        }
        return futures;
    }

    /**
     * Queues an announced image's rows. Each row's announcement is withdrawn just before it is queued, so that a
     * worker seeing it never waits for a row already in the queue, while the mirror, still announced when the image
     * is queued, lets a lone worker wait for it and run both in one run.
     */
    private CompletableFuture<float[]> enqueue(float[] tensor, long deadlineNanos) {
        int announced = passes;
        try {
            if (!running) {
                throw new IllegalStateException("the model is shutting down");
            }
            float[] mirror = passes == 2 ? preprocessor.flipHorizontally(tensor) : null;
            preparing.decrementAndGet();
            announced--;
            CompletableFuture<float[]> image = offer(tensor, deadlineNanos);
            if (mirror == null) {
                return image.thenApply(classifier::probabilities);
            }
            preparing.decrementAndGet();
            announced--;
            CompletableFuture<float[]> mirrored;
            try {
                mirrored = offer(mirror, deadlineNanos);
            } catch (QueueFullException e) {
                image.cancel(false); // a worker skips it
                throw e;
            }
            return image.thenCombine(mirrored, classifier::combineMirrored);
        } finally {
            preparing.addAndGet(-announced);
        }
    }

    private CompletableFuture<float[]> offer(float[] tensor, long deadlineNanos) {
        CompletableFuture<float[]> result = new CompletableFuture<>();
        if (!queue.offer(new Job(tensor, result, deadlineNanos))) {
            throw new QueueFullException(queueDepth());
        }
        return result;
    }

    /** Images waiting for inference (rows over rows per image, rounded up). */
    public int queueDepth() {
        return (queue.size() + passes - 1) / passes;
    }

    private void work() {
        List<Job> batch = new ArrayList<>(maxBatchSize);
        while (running) {
            try {
                idle.incrementAndGet();
                Job first;
                try {
                    first = queue.poll(200, TimeUnit.MILLISECONDS);
                } finally {
                    idle.decrementAndGet();
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int share = share();
                claimed.addAndGet(share - 1);
                try {
                    gatherMore(batch, share);
                } finally {
                    claimed.addAndGet(-(share - batch.size()));
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * This worker's batch size: what waits or is being decoded and no other gathering worker has claimed, split with
     * the idle workers, at most the maximum.
     */
    private int share() {
        int waiting = 1 + queue.size() + preparing.get() - claimed.get();
        int workers = 1 + idle.get();
        return Math.max(1, Math.min(maxBatchSize, (waiting + workers - 1) / workers));
    }

    private void gatherMore(List<Job> batch, int limit) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < limit) {
            claimed.addAndGet(-queue.drainTo(batch, limit - batch.size()));
            if (batch.size() >= limit || preparing.get() == 0) {
                return;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            Job next = queue.poll(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
                claimed.decrementAndGet();
            }
        }
    }

    private void run(List<Job> batch) {
        long now = System.nanoTime();
        batch.removeIf(job -> {
            if (job.result().isDone()) { // cancelled: its image was refused
                return true;
            }
            if (now - job.deadlineNanos() > 0) {
                job.result()
                        .completeExceptionally(
                                new QueueFullException(
                                        "busy: the image waited twice its deadline (EMOTION_QUEUE_DEADLINE) and was not run; retry shortly"));
                return true;
            }
            return false;
        });
        if (batch.isEmpty()) {
            return;
        }
        List<float[]> tensors = new ArrayList<>(batch.size());
        for (Job job : batch) {
            tensors.add(job.tensor());
        }
        long started = System.nanoTime();
        try {
            float[][] scores = classifier.scores(tensors);
            long elapsed = System.nanoTime() - started;
            inferenceTimer.record(elapsed, TimeUnit.NANOSECONDS);
            double perRow = (double) elapsed / batch.size();
            nanosPerRow = nanosPerRow == 0 ? perRow : 0.7 * nanosPerRow + 0.3 * perRow;
            batchSizes.record(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(scores[i]);
            }
        } catch (RuntimeException e) {
            log.error("inference failed for a batch of {}", batch.size(), e);
            for (Job job : batch) {
                job.result().completeExceptionally(e);
            }
        }
    }

    /** Stops the workers and fails what is still queued; the session is closed by its owner ({@link LoadedModel}). */
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
    }
}
