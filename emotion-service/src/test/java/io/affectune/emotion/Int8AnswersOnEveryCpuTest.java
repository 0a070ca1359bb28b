package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.affectune.models.OnnxClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The int8 default must give the same answers on every x86 CPU a deployment (or CI) lands on. ONNX Runtime picks its
 * integer kernels by CPU, and on AVX2 CPUs without VNNI its u8 x s8 kernel adds pairs of products into a saturating
 * 16-bit sum: without the session entry OnnxClassifier sets for it, the int8 copy kept the float model's emotion on 29
 * of the 35 test faces there and on all 35 on a VNNI CPU (the int8 model card). The machine this runs on is whatever
 * CI drew, so the test does not rely on it: it runs {@link Int8FaceProbe} on CPUs emulated by qemu's user mode, one
 * of each integer path (EPYC-Rome: AVX2 without VNNI; Nehalem: SSE4.2 only), besides this JVM, and requires the same
 * emotion for every face and probabilities within 0.01 everywhere.
 */
class Int8AnswersOnEveryCpuTest {

    static final Path INT8 = TestFaces.MODELS_DIR.resolve(QuantizedDefaultModelTest.INT8);
    static final List<String> EMULATED_CPUS = List.of("EPYC-Rome", "Nehalem");
    static final String QEMU = "qemu-x86_64";

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "x86 kernels only; this JVM runs on " + arch);
    }

    @Test
    void theInt8CopyAnswersAlikeOnCpusWithAndWithoutVnniOrAvx2() throws Exception {
        float[][] here = Int8FaceProbe.probabilities(INT8);
        Map<String, CompletableFuture<float[][]>> emulated = new LinkedHashMap<>();
        for (String cpu : EMULATED_CPUS) {
            emulated.put(cpu, CompletableFuture.supplyAsync(() -> probeOn(cpu)));
        }
        for (Map.Entry<String, CompletableFuture<float[][]>> entry : emulated.entrySet()) {
            float[][] there = entry.getValue().get(15, TimeUnit.MINUTES);
            assertThat(there.length).as("faces answered on " + entry.getKey()).isEqualTo(here.length);
            int sameEmotion = 0;
            double largestGap = 0;
            for (int face = 0; face < here.length; face++) {
                if (OnnxClassifier.argmax(here[face]) == OnnxClassifier.argmax(there[face])) {
                    sameEmotion++;
                }
                for (int c = 0; c < here[face].length; c++) {
                    largestGap = Math.max(largestGap, Math.abs(here[face][c] - there[face][c]));
                }
            }
            System.out.printf(
                    "int8 on %s vs this CPU, %d test faces: same emotion %d, largest probability gap %.5f%n",
                    entry.getKey(), here.length, sameEmotion, largestGap);
            assertThat(sameEmotion)
                    .as("faces with this CPU's emotion on " + entry.getKey())
                    .isEqualTo(here.length);
            assertThat(largestGap)
                    .as("largest probability gap on " + entry.getKey())
                    .isLessThan(0.01);
        }
    }

    /** {@link Int8FaceProbe} in a JVM that qemu runs on the named CPU model; its output parsed. */
    private static float[][] probeOn(String cpu) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                QEMU,
                "-cpu",
                cpu,
                java,
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                Int8FaceProbe.class.getName(),
                INT8.toString());
        Process process;
        Path output;
        Path errors;
        try {
            // both to files, so that the timed wait below bounds a probe that hangs (reading its stdout to the end
            // first would wait for it without limit)
            output = Files.createTempFile("int8-probe-" + cpu, ".out");
            errors = Files.createTempFile("int8-probe-" + cpu, ".log");
            process = new ProcessBuilder(command)
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile())
                    .start();
        } catch (IOException e) {
            return fail(QEMU + " could not be started (" + e.getMessage() + "): this test needs qemu's user-mode "
                    + "emulator, Debian's qemu-user package (.ci/run installs it)");
        }
        try {
            boolean ended = process.waitFor(15, TimeUnit.MINUTES);
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (!ended || process.exitValue() != 0) {
                return fail("the probe on " + cpu + " failed: " + String.join(" ", command) + "\n" + out + "\n"
                        + Files.readString(errors));
            }
            List<float[]> rows = new ArrayList<>();
            for (String line : out.strip().split("\n")) {
                String[] cells = line.trim().split(" ");
                float[] row = new float[cells.length];
                for (int i = 0; i < cells.length; i++) {
                    row[i] = Float.parseFloat(cells[i]);
                }
                rows.add(row);
            }
            return rows.toArray(float[][]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.destroyForcibly();
            try {
                Files.deleteIfExists(output);
                Files.deleteIfExists(errors);
            } catch (IOException e) {
                // a temporary file; the system's cleanup gets it
            }
        }
    }
}
