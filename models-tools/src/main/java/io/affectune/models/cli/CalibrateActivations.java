package io.affectune.models.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.affectune.models.FacePreprocessor;
import io.affectune.models.Fer2013Split;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Activation ranges for static int8 quantization (models/training/quantize.py). The quantizer hands over a copy of
 * the model in which every intermediate tensor is also a graph output; this runs it on evenly spaced images of a
 * split (training by default: the ranges must not be fitted on the split the quantized model is selected on),
 * each with its mirror as the service runs it, preprocessed by the model's manifest like every other consumer. For
 * each tensor it keeps min/max and a uniform sample of values, and picks the uint8 range [lo, hi] that minimises
 * the mean squared quantization error on the sample: min/max lets a few outliers stretch the 256 steps over values
 * that never occur, and the minimum-error range clips them. Measured on effnetb3-fer2013 (validation accuracy with
 * flip TTA, float 65.45 %): min/max ranges 62.6 %; minimum-error ranges 63.4-64.9 % depending on the images sampled
 * (models/training/README.md, "int8").
 */
public final class CalibrateActivations {

    static final String USAGE = """
            usage: calibrate-activations --model <model dir> --graph <onnx with every tensor as an output>
                                         --data <dataset dir> --out ranges.json [--split train] [--count 1024]
                                         [--sample 32768]
              --model  the model whose manifest says how to preprocess (its model.json)
              --count  images (each with its mirror) to run
              --sample values kept per tensor for the range search""";

    private static final int ROWS_PER_RUN = 16;

    private CalibrateActivations() {}

    public static void main(String[] args) {
        System.exit(Arguments.run(USAGE, () -> calibrate(new Arguments(args, USAGE))));
    }

    private static void calibrate(Arguments args) throws Exception {
        ModelDescriptor model = ModelDirectory.load(Path.of(args.require("model", USAGE)));
        FacePreprocessor preprocessor = new FacePreprocessor(model.manifest());
        Fer2013Split split = Fer2013Split.load(Path.of(args.require("data", USAGE)), args.get("split", "train"));
        int count = Math.min(args.getInt("count", 1024), split.size());
        int sample = args.getInt("sample", 32_768);
        String inputName = model.manifest().input().name();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // no graph rewrites: the ranges are of the tensors the quantizer names, as the graph has them
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(args.require("graph", USAGE), options)) {
                int perImage = preprocessor.tensorSize();
                int images = ROWS_PER_RUN / 2;
                int runs = (count + images - 1) / images;
                for (int start = 0; start < count; start += images) {
                    int n = Math.min(images, count - start);
                    float[] batch = new float[2 * n * perImage];
                    for (int i = 0; i < n; i++) {
                        int index = (int) ((long) (start + i) * split.size() / count);
                        float[] image =
                                preprocessor.preprocessGray(split.image(index), Fer2013Split.SIDE, Fer2013Split.SIDE);
                        System.arraycopy(image, 0, batch, 2 * i * perImage, perImage);
                        System.arraycopy(
                                preprocessor.flipHorizontally(image), 0, batch, (2 * i + 1) * perImage, perImage);
                    }
                    try (OnnxTensor input =
                                    OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), preprocessor.shape(2 * n));
                            OrtSession.Result result = session.run(Map.of(inputName, input))) {
                        tensors.computeIfAbsent(inputName, k -> new Tensor(runs, sample))
                                .add(FloatBuffer.wrap(batch));
                        for (Map.Entry<String, OnnxValue> output : result) {
                            if (output.getValue() instanceof OnnxTensor t) {
                                tensors.computeIfAbsent(output.getKey(), k -> new Tensor(runs, sample))
                                        .add(t.getFloatBuffer());
                            }
                        }
                    }
                }
            }
        }
        Map<String, Map<String, Float>> ranges = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> ranges.put(name, tensor.range()));
        Path out = Path.of(args.require("out", USAGE));
        ModelDirectory.mapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), ranges);
        System.out.printf(
                "%d tensors, %d images (and mirrors) of %s: ranges written to %s%n",
                ranges.size(), count, split.split(), out);
    }

    /** One tensor's min/max over every value seen and a uniform sample for the range search. */
    private static final class Tensor {
        private final int perRun;
        private final float[] sample;
        private final SplittableRandom random = new SplittableRandom(7);
        private int filled;
        private float min = Float.POSITIVE_INFINITY;
        private float max = Float.NEGATIVE_INFINITY;

        Tensor(int runs, int sample) {
            this.perRun = Math.max(1, sample / runs);
            this.sample = new float[perRun * runs];
        }

        void add(FloatBuffer values) {
            int n = values.remaining();
            for (int i = 0; i < n; i++) {
                float v = values.get(i);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            for (int i = 0; i < perRun && n > 0 && filled < sample.length; i++) {
                sample[filled++] = values.get(random.nextInt(n));
            }
        }

        /**
         * The uint8 range with the least squared error on the sample, among ranges that shrink [min, max] (both ends,
         * or the upper end alone) in 50 steps; it always holds 0, which quantizes exactly.
         */
        Map<String, Float> range() {
            double lo0 = Math.min(min, 0), hi0 = Math.max(max, 0);
            double bestLo = lo0, bestHi = hi0, bestError = Double.POSITIVE_INFINITY;
            for (int both = 0; both < 2; both++) {
                for (int step = 1; step <= 50; step++) {
                    double a = 0.02 + (1 - 0.02) * (step - 1) / 49.0;
                    double lo = both == 0 ? lo0 * a : lo0, hi = hi0 * a;
                    double error = squaredError(lo, hi);
                    if (error < bestError) {
                        bestError = error;
                        bestLo = lo;
                        bestHi = hi;
                    }
                }
            }
            Map<String, Float> range = new LinkedHashMap<>();
            range.put("min", min);
            range.put("max", max);
            range.put("lo", (float) bestLo);
            range.put("hi", (float) bestHi);
            return range;
        }

        private double squaredError(double lo, double hi) {
            if (hi - lo < 1e-8) {
                return Double.POSITIVE_INFINITY;
            }
            double scale = (hi - lo) / 255, zero = Math.rint(-lo / scale), sum = 0;
            for (int i = 0; i < filled; i++) {
                double q = Math.min(255, Math.max(0, Math.rint(sample[i] / scale) + zero));
                double d = (q - zero) * scale - sample[i];
                sum += d * d;
            }
            return sum / Math.max(1, filled);
        }
    }
}
