package io.affectune.models.cli;

import io.affectune.models.ClassificationMetrics;
import io.affectune.models.Fer2013Split;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import java.nio.file.Path;

/** Accuracy, macro recall, per-class precision/recall and confusion matrix of a model on a split. */
public final class EvaluateModel {

    static final String USAGE = """
            usage: evaluate-model --model <model dir> --data <dataset dir> [--split val]
                                  [--json metrics.json] [--probs probs.f32] [--batch 64] [--threads 0] [--limit N]
              --json   write the metrics in the shape of model.json's "metrics" object
              --probs  write the Java path's probabilities (little-endian float32, N x classes)""";

    private EvaluateModel() {}

    public static void main(String[] args) {
        System.exit(Arguments.run(USAGE, () -> evaluate(new Arguments(args, USAGE))));
    }

    private static void evaluate(Arguments args) throws Exception {
        ModelDescriptor model = ModelDirectory.load(Path.of(args.require("model", USAGE)));
        String splitName = args.get("split", "val");
        Fer2013Split split = Fer2013Split.load(Path.of(args.require("data", USAGE)), splitName);
        long started = System.nanoTime();
        float[][] probabilities = SplitInference.probabilities(
                model, split, args.getInt("limit", 0), args.getInt("batch", 64), args.getInt("threads", 0));
        double seconds = (System.nanoTime() - started) / 1e9;

        ClassificationMetrics metrics =
                new ClassificationMetrics(model.manifest().labels());
        for (int i = 0; i < probabilities.length; i++) {
            metrics.add(split.label(i), OnnxClassifier.argmax(probabilities[i]));
        }
        System.out.printf(
                "model         %s %s (%s)%n", model.id(), model.manifest().version(), model.onnxFile());
        System.out.printf(
                "split         %s%s%n",
                splitName, model.manifest().horizontalFlipTta() ? " (horizontal-flip TTA, per manifest)" : "");
        System.out.print(metrics.report());
        System.out.printf("%n%.1f s, %.0f images/s%n", seconds, probabilities.length / seconds);
        if (args.has("json")) {
            Path out = Path.of(args.get("json", null));
            ModelDirectory.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(out.toFile(), metrics.toManifestMetrics(SplitInference.splitName(splitName)));
            System.out.println("metrics written to " + out);
        }
        if (args.has("probs")) {
            Path out = Path.of(args.get("probs", null));
            SplitInference.writeFloat32(out, probabilities);
            System.out.println("probabilities written to " + out);
        }
    }
}
