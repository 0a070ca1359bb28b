package io.affectune.models.cli;

import io.affectune.models.InferenceTiming;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Raw ONNX Runtime latency (p50/p95) and throughput at given batch sizes, on random inputs. */
public final class LatencyBench {

    static final String USAGE = """
            usage: latency-bench --model <model dir | file.onnx> [--size H W] [--channels C]
                                 [--batch 1,8] [--iterations 200] [--warmup 20] [--threads 0]
              a model directory takes size and channels from model.json; a bare .onnx needs --size
              (and --channels, default 1) unless its input shape is fixed
              --threads  ONNX Runtime intra-op threads (0 = ONNX Runtime's default: one per core)""";

    private LatencyBench() {}

    public static void main(String[] args) {
        System.exit(Arguments.run(USAGE, () -> bench(new Arguments(args, USAGE))));
    }

    private static void bench(Arguments args) {
        Path model = Path.of(args.require("model", USAGE));
        int threads = args.getInt("threads", 0);
        int iterations = args.getInt("iterations", 200);
        int warmup = args.getInt("warmup", 20);
        int[] batches = Arrays.stream(args.get("batch", "1,8").split(","))
                .map(String::trim)
                .mapToInt(Integer::parseInt)
                .toArray();

        OnnxClassifier classifier;
        int channels;
        int height;
        int width;
        int passes = 1;
        String name;
        if (Files.isDirectory(model)) {
            ModelDescriptor descriptor = ModelDirectory.load(model);
            classifier = new OnnxClassifier(descriptor, threads);
            channels = descriptor.manifest().input().channels();
            height = descriptor.manifest().input().height();
            width = descriptor.manifest().input().width();
            passes = descriptor.manifest().passesPerFace();
            name = descriptor.id() + " " + descriptor.manifest().version()
                    + (passes == 2 ? " (flip TTA: each face and its mirror in one run)" : "");
        } else {
            classifier = new OnnxClassifier(model, null, null, true, threads);
            long[] shape = classifier.inputShape();
            List<String> size = args.all("size");
            channels = args.getInt("channels", shape[1] > 0 ? (int) shape[1] : 1);
            if (size.size() == 2) {
                height = Integer.parseInt(size.get(0));
                width = Integer.parseInt(size.get(1));
            } else if (shape[2] > 0 && shape[3] > 0) {
                height = (int) shape[2];
                width = (int) shape[3];
            } else {
                classifier.close();
                throw new IllegalArgumentException("the input size of " + model + " is dynamic: give --size H W");
            }
            name = model.getFileName().toString();
        }
        try (classifier) {
            System.out.printf(
                    "model %s, input %dx%dx%d, intra-op threads %s, %d iterations (+%d warm-up)%n",
                    name, channels, height, width, threads == 0 ? "default" : threads, iterations, warmup);
            System.out.printf("%6s %10s %10s %10s %12s%n", "batch", "p50 ms", "p95 ms", "mean ms", "faces/s");
            Random random = new Random(42);
            for (int batch : batches) {
                InferenceTiming timing = InferenceTiming.measure(
                        classifier, channels * height * width, batch, passes, warmup, iterations, random);
                System.out.printf(
                        "%6d %10.2f %10.2f %10.2f %12.1f%n",
                        batch, timing.p50Millis(), timing.p95Millis(), timing.meanMillis(), timing.facesPerSecond());
            }
        }
    }
}
