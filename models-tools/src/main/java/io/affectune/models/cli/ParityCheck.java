package io.affectune.models.cli;

import io.affectune.models.Fer2013Split;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.models.OnnxClassifier;
import java.nio.file.Path;

/**
 * Compares the Java path's probabilities with a reference written by PyTorch, to prove that the
 * Java preprocessing and ONNX export match the Python evaluation.
 */
public final class ParityCheck {

    static final String USAGE = """
            usage: parity-check --model <model dir> --data <dataset dir> [--split val] --reference probs.f32
                                [--tolerance 1e-3] [--batch 64] [--threads 0]
              --reference  little-endian float32, N x classes, rows in split order (numpy .tofile());
                           N may be smaller than the split (first N images)
              exit status 0 when max |difference| <= tolerance and every argmax agrees, else 3""";

    private ParityCheck() {}

    public static void main(String[] args) {
        System.exit(Arguments.run(USAGE, () -> check(new Arguments(args, USAGE))));
    }

    private static void check(Arguments args) throws Exception {
        ModelDescriptor model = ModelDirectory.load(Path.of(args.require("model", USAGE)));
        String splitName = args.get("split", "val");
        Fer2013Split split = Fer2013Split.load(Path.of(args.require("data", USAGE)), splitName);
        int classes = model.manifest().labels().size();
        float[][] reference = SplitInference.readFloat32(Path.of(args.require("reference", USAGE)), classes);
        if (reference.length > split.size()) {
            throw new IllegalArgumentException(
                    "reference has " + reference.length + " rows, split has " + split.size());
        }
        double tolerance = Double.parseDouble(args.get("tolerance", "1e-3"));
        float[][] java = SplitInference.probabilities(
                model, split, reference.length, args.getInt("batch", 64), args.getInt("threads", 0));

        double maxDiff = 0;
        double sumDiff = 0;
        int worst = -1;
        int argmaxDisagreements = 0;
        for (int i = 0; i < reference.length; i++) {
            for (int c = 0; c < classes; c++) {
                double d = Math.abs(reference[i][c] - java[i][c]);
                sumDiff += d;
                if (d > maxDiff) {
                    maxDiff = d;
                    worst = i;
                }
            }
            if (OnnxClassifier.argmax(reference[i]) != OnnxClassifier.argmax(java[i])) {
                argmaxDisagreements++;
            }
        }
        System.out.printf(
                "model                  %s %s%n", model.id(), model.manifest().version());
        System.out.printf("images compared        %d (%s split)%n", reference.length, splitName);
        System.out.printf("max abs difference     %.3e (image %d)%n", maxDiff, worst);
        System.out.printf("mean abs difference    %.3e%n", sumDiff / ((double) reference.length * classes));
        System.out.printf("argmax disagreements   %d%n", argmaxDisagreements);
        boolean ok = maxDiff <= tolerance && argmaxDisagreements == 0;
        System.out.println(
                ok ? "PARITY OK (tolerance " + tolerance + ")" : "PARITY FAILED (tolerance " + tolerance + ")");
        if (!ok) {
            System.exit(3);
        }
    }
}
