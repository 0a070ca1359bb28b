package io.affectune.models;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session for one model. The OrtEnvironment is the process-wide singleton that
 * ONNX Runtime hands out; every tensor and result created here is closed before returning, because
 * they hold native memory the garbage collector does not see. {@link #classify} is thread-safe
 * (OrtSession.run is).
 */
public final class OnnxClassifier implements AutoCloseable {

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final boolean logits;
    private final int classes;
    private final long[] inputShape;
    private final int maxBatch;
    private final int tensorSize;

    /** Session for a model described by a manifest; {@code intraOpThreads} 0 means ONNX Runtime's default. */
    public OnnxClassifier(ModelDescriptor model, int intraOpThreads) {
        this(model, intraOpThreads, true);
    }

    /**
     * As {@link #OnnxClassifier(ModelDescriptor, int)}; {@code intraOpSpinning} false makes ONNX
     * Runtime's intra-op threads sleep instead of busy-waiting for work, which leaves idle cores to
     * other processes on a shared host at the price of a wake-up on each run (in emotion-service on
     * two cores of its own, busy-waiting gave 0.92 x raw batch-8 throughput over HTTP, sleeping 0.71 x).
     */
    public OnnxClassifier(ModelDescriptor model, int intraOpThreads, boolean intraOpSpinning) {
        this(
                model.onnxFile(),
                model.manifest().input().name(),
                model.manifest().output() == null
                        ? null
                        : model.manifest().output().name(),
                model.manifest().output() == null || model.manifest().output().isLogits(),
                intraOpThreads,
                intraOpSpinning);
        if (classes != model.manifest().labels().size()) {
            close();
            throw new InvalidModelException(model.onnxFile() + " has " + classes + " outputs but model.json lists "
                    + model.manifest().labels().size() + " labels");
        }
        long[] expected = {
            -1,
            model.manifest().input().channels(),
            model.manifest().input().height(),
            model.manifest().input().width()
        };
        for (int i = 1; i < 4; i++) {
            if (inputShape[i] > 0 && inputShape[i] != expected[i]) {
                close();
                throw new InvalidModelException(model.onnxFile() + " expects input shape "
                        + java.util.Arrays.toString(inputShape) + " but model.json says "
                        + java.util.Arrays.toString(expected));
            }
        }
    }

    /**
     * Session for a bare ONNX file (tools that compare exported variants). A null input/output name
     * takes the model's first input/output.
     */
    public OnnxClassifier(
            Path onnxFile, String inputName, String outputName, boolean outputIsLogits, int intraOpThreads) {
        this(onnxFile, inputName, outputName, outputIsLogits, intraOpThreads, true);
    }

    private OnnxClassifier(
            Path onnxFile,
            String inputName,
            String outputName,
            boolean outputIsLogits,
            int intraOpThreads,
            boolean intraOpSpinning) {
        if (!Files.isRegularFile(onnxFile)) {
            throw new InvalidModelException("ONNX file not found: " + onnxFile.toAbsolutePath());
        }
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", intraOpSpinning ? "1" : "0");
            // ONNX Runtime fuses SiLU (x * sigmoid(x)) into one QuickGelu node, which its NCHWc layout (the blocked
            // convolutions that make x86 inference ~4x faster than plain NCHW) cannot carry: the tensor is reordered
            // out of NCHWc before every such node and back after it (176 reorders in the EfficientNet graph). Left
            // as Sigmoid and Mul, both run on the blocked tensor (114 reorders): measured 6-8 % less time per run for
            // 8 and 16 rows (two sessions interleaved in one process, 2026-12-02), logits within 1e-7. On CPUs
            // without NCHWc (ARM) it costs the one fused pass.
            options.addConfigEntry("optimization.disable_specified_optimizers", "QuickGeluFusion");
            // An int8 model must give the same answers on every x86 CPU. ONNX Runtime's u8 x s8 kernels on AVX2/AVX-512
            // CPUs without VNNI (vpmaddubsw) add each pair of products into a saturating 16-bit sum, so the int8
            // default gave the float model's emotion on 29 of the 35 test faces there and 35 of 35 on VNNI CPUs, where
            // the sum is exact (QuantizedDefaultModelTest under qemu -cpu EPYC-Rome vs natively, 2026-12-03). This
            // entry has the runtime move int8 weights to uint8 (w + 128, zero point with it: the same products) so
            // that its exact u8 x u8 kernels run; it applies only where the runtime itself reports the u8 x s8 path
            // may saturate (x86 with AVX2), and leaves float graphs alone. Cost on an AVX-512 VNNI CPU: int8 batch 1
            // 3.92 -> 4.30 ms, batch 8 22.1 -> 22.4 ms (models/bin/latency-bench --threads 1). Kept true by
            // emotion-service's Int8AnswersOnEveryCpuTest.
            options.addConfigEntry("session.x64quantprecision", "1");
            this.session = environment.createSession(onnxFile.toString(), options);
        } catch (OrtException e) {
            throw new InvalidModelException("cannot load " + onnxFile + ": " + e.getMessage(), e);
        }
        try {
            this.inputName = pickName(inputName, session.getInputInfo(), "input", onnxFile);
            this.outputName = pickName(outputName, session.getOutputInfo(), "output", onnxFile);
            TensorInfo input =
                    (TensorInfo) session.getInputInfo().get(this.inputName).getInfo();
            TensorInfo output =
                    (TensorInfo) session.getOutputInfo().get(this.outputName).getInfo();
            this.inputShape = input.getShape();
            long[] outputShape = output.getShape();
            if (inputShape.length != 4 || outputShape.length != 2 || outputShape[1] <= 0) {
                throw new InvalidModelException(onnxFile + ": expected a 4-d input and an N x classes output, got "
                        + java.util.Arrays.toString(inputShape) + " -> " + java.util.Arrays.toString(outputShape));
            }
            this.classes = (int) outputShape[1];
            // A model exported with a fixed batch dimension is run image by image.
            this.maxBatch = inputShape[0] > 0 ? (int) inputShape[0] : Integer.MAX_VALUE;
            long size = 1;
            for (int i = 1; i < 4; i++) {
                size *= Math.max(1, inputShape[i]);
            }
            this.tensorSize = (int) size;
        } catch (OrtException | RuntimeException e) {
            closeQuietly();
            throw e instanceof InvalidModelException ime
                    ? ime
                    : new InvalidModelException("cannot inspect " + onnxFile + ": " + e.getMessage(), e);
        }
        this.logits = outputIsLogits;
    }

    private static String pickName(String wanted, Map<String, NodeInfo> available, String what, Path file) {
        if (wanted == null || wanted.isBlank()) {
            return available.keySet().iterator().next();
        }
        if (!available.containsKey(wanted)) {
            throw new InvalidModelException(
                    file + " has no " + what + " named '" + wanted + "'; it has " + available.keySet());
        }
        return wanted;
    }

    public int classes() {
        return classes;
    }

    /** The model's declared input shape; -1 (or another non-positive value) marks a dynamic dimension. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /**
     * Class probabilities for each preprocessed image (each a C x H x W float array), in input order.
     * Softmax is applied when the model outputs logits.
     */
    public float[][] classify(List<float[]> images) {
        float[][] scores = scores(images);
        if (logits) {
            for (float[] row : scores) {
                softmaxInPlace(row);
            }
        }
        return scores;
    }

    /** The model's raw outputs for each preprocessed image, in input order: logits or probabilities, as it declares. */
    public float[][] scores(List<float[]> images) {
        float[][] scores = new float[images.size()][];
        for (int start = 0; start < images.size(); start += maxBatch) {
            int end = (int) Math.min(images.size(), (long) start + maxBatch);
            float[][] chunk = run(images.subList(start, end));
            System.arraycopy(chunk, 0, scores, start, chunk.length);
        }
        return scores;
    }

    /**
     * Probabilities of an image from the raw outputs ({@link #scores}) of the image and of its horizontal mirror:
     * the mean of the two logits, then softmax (with a probabilities output, the mean of the two), as the training
     * code evaluates flip TTA (fertrain/metrics.py) and as the manifest's metrics were measured.
     */
    public float[] combineMirrored(float[] image, float[] mirror) {
        float[] mean = new float[image.length];
        for (int k = 0; k < image.length; k++) {
            mean[k] = (image[k] + mirror[k]) / 2f;
        }
        if (logits) {
            softmaxInPlace(mean);
        }
        return mean;
    }

    /** Probabilities from one raw output ({@link #scores}): softmax when the model outputs logits. */
    public float[] probabilities(float[] scores) {
        float[] out = scores.clone();
        if (logits) {
            softmaxInPlace(out);
        }
        return out;
    }

    private float[][] run(List<float[]> images) {
        int batch = images.size();
        int size = images.get(0).length;
        FloatBuffer buffer = FloatBuffer.allocate(batch * size);
        for (float[] image : images) {
            if (image.length != size) {
                throw new IllegalArgumentException("images in a batch must have the same size");
            }
            buffer.put(image);
        }
        buffer.rewind();
        long[] shape = inputShape.clone();
        shape[0] = batch;
        if (size != tensorSize) {
            throw new IllegalArgumentException("image tensor has " + size + " values, the model expects " + tensorSize);
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, buffer, shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor), java.util.Set.of(outputName))) {
            OnnxValue value = result.get(0);
            FloatBuffer scores = ((OnnxTensor) value).getFloatBuffer();
            float[][] out = new float[batch][classes];
            for (int i = 0; i < batch; i++) {
                scores.get(out[i]);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** Numerically stable softmax (max subtracted), computed in double. */
    public static void softmaxInPlace(float[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] exp = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            exp[i] = Math.exp(values[i] - max);
            sum += exp[i];
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (exp[i] / sum);
        }
    }

    /** Index of the largest value (first on ties). */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private void closeQuietly() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // already failing; the original problem is the one to report
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close ONNX session: " + e.getMessage(), e);
        }
    }

    /**
     * Classifies with optional horizontal-flip test-time augmentation: the images and their mirrors in one run,
     * combined by {@link #combineMirrored}.
     */
    public static float[][] classifyWithTta(
            OnnxClassifier classifier, FacePreprocessor preprocessor, List<float[]> images, boolean horizontalFlip) {
        if (!horizontalFlip) {
            return classifier.classify(images);
        }
        List<float[]> both = new ArrayList<>(images.size() * 2);
        both.addAll(images);
        for (float[] image : images) {
            both.add(preprocessor.flipHorizontally(image));
        }
        float[][] all = classifier.scores(both);
        float[][] out = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            out[i] = classifier.combineMirrored(all[i], all[i + images.size()]);
        }
        return out;
    }
}
