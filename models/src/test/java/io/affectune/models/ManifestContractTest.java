package io.affectune.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model contract between the Python writer (models/training/export.py, {@code write_manifest}) and the Java
 * reader ({@link ModelManifest}): the real writer, run by the real Python interpreter of the training pipeline
 * ({@code PYTHON}, else /usr/bin/python3 as ./test.sh uses), writes a fresh model.json; every field path the Java
 * records read must be in it, and it must hold no field the Java reader does not know.
 */
class ManifestContractTest {

    private static final String WRITER = """
            import sys
            sys.path.insert(0, sys.argv[1])
            import numpy as np
            import export
            from fertrain.metrics import classification_metrics
            labels = np.array([0, 1, 2, 3, 4, 5, 6, 4])
            probs = np.eye(7, dtype=np.float32)[[0, 1, 2, 3, 4, 5, 6, 3]]
            export.write_manifest(sys.argv[2], 48, 1, "logits", 17, "0.0.0-contract",
                                  classification_metrics(probs, labels), False)
            """;

    @Test
    void theJavaReaderReadsEveryFieldThePythonWriterWritesAndNothingMore(@TempDir Path tmp) throws Exception {
        Path modelDir = tmp.resolve("contract-model");
        Files.createDirectories(modelDir);
        runPythonWriter(modelDir);

        ModelDescriptor model = ModelDirectory.load(modelDir);
        Set<String> written = new TreeSet<>();
        jsonPaths(model.rawManifest(), ModelManifest.class, "", written);
        Set<String> read = new TreeSet<>();
        javaPaths(ModelManifest.class, "", read);

        assertThat(read)
                .as("fields ModelManifest reads")
                .contains(
                        "crop.calibrated",
                        "crop.boxScale",
                        "crop.centerShiftX",
                        "crop.centerShiftY",
                        "crop.alignEyes",
                        "crop.method",
                        "input.sourceSize");
        assertThat(written)
                .as("fields export.py writes, compared with the fields ModelManifest reads")
                .containsExactlyInAnyOrderElementsOf(read);

        // and the values make sense to the reader: the crop is complete (camera-service cuts faces with it)
        ModelManifest.Crop crop = model.manifest().requireCrop();
        assertThat(crop.calibrated()).isFalse();
        assertThat(crop.boxScale()).isPositive();
        assertThat(model.manifest().faceSize()).isEqualTo(48);
        assertThat(model.manifest().version()).isEqualTo("0.0.0-contract");
    }

    @Test
    void theServedModelsManifestHasACompleteCrop() {
        ModelManifest served = ModelDirectory.load(Path.of("effnetb3-fer2013")).manifest();
        ModelManifest.Crop crop = served.requireCrop();
        assertThat(crop.calibrated()).isTrue();
        assertThat(crop.centerShiftX()).isNotNull();
        assertThat(served.faceSize()).isEqualTo(48);
    }

    @Test
    void anIncompleteCropIsAnErrorNamingTheField(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("no-shift");
        Files.createDirectories(dir);
        String manifest = Files.readString(Path.of(OnnxClassifierTest.class
                        .getResource("/tiny/tiny-linear/model.json")
                        .getPath()))
                .replace(
                        "\"tta\":",
                        "\"crop\": {\"calibrated\": true, \"boxScale\": 1.1, "
                                + "\"centerShiftY\": 0.0, \"alignEyes\": true}, \"tta\":");
        Files.writeString(dir.resolve("model.json"), manifest);
        ModelManifest loaded = ModelDirectory.load(dir).manifest();
        assertThatThrownBy(loaded::requireCrop)
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("\"crop.centerShiftX\"");
        ModelManifest tiny = ModelDirectory.load(Path.of(OnnxClassifierTest.class
                        .getResource("/tiny/tiny-linear")
                        .getPath()))
                .manifest();
        assertThatThrownBy(tiny::requireCrop)
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("\"crop\" is missing");
    }

    private static void runPythonWriter(Path modelDir) throws Exception {
        String python =
                System.getenv("PYTHON") == null || System.getenv("PYTHON").isBlank()
                        ? "/usr/bin/python3"
                        : System.getenv("PYTHON");
        Path training = Path.of("training").toAbsolutePath();
        assertThat(training.resolve("export.py"))
                .as("run from the models module directory")
                .isRegularFile();
        Process process = new ProcessBuilder(python, "-c", WRITER, training.toString(), modelDir.toString())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        boolean done = process.waitFor(180, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            process.destroyForcibly();
        }
        assertThat(done && process.exitValue() == 0)
                .as("%s ran export.write_manifest: %s", python, output)
                .isTrue();
    }

    /** Field paths of a JSON tree; below a field the Java reader maps to a Map, keys count as "*". */
    private static void jsonPaths(JsonNode node, Type javaType, String prefix, Set<String> out) {
        Class<?> raw = rawClass(javaType);
        if (node.isObject() && raw != null && Map.class.isAssignableFrom(raw)) {
            Type value = ((ParameterizedType) javaType).getActualTypeArguments()[1];
            node.forEach(child -> jsonPaths(child, value, prefix + "*.", out));
            return;
        }
        if (node.isObject() && (raw == null || raw.isRecord())) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                jsonPaths(field.getValue(), componentType(raw, field.getKey()), prefix + field.getKey() + ".", out);
            }
            return;
        }
        out.add(prefix.substring(0, prefix.length() - 1));
    }

    /** Field paths the Java records read (record components, recursively; map values under "*"). */
    private static void javaPaths(Type type, String prefix, Set<String> out) {
        Class<?> raw = rawClass(type);
        if (raw != null && raw.isRecord()) {
            for (RecordComponent component : raw.getRecordComponents()) {
                javaPaths(component.getGenericType(), prefix + component.getName() + ".", out);
            }
        } else if (raw != null && Map.class.isAssignableFrom(raw)) {
            javaPaths(((ParameterizedType) type).getActualTypeArguments()[1], prefix + "*.", out);
        } else {
            out.add(prefix.substring(0, prefix.length() - 1));
        }
    }

    private static Type componentType(Class<?> record, String name) {
        if (record == null) {
            return null;
        }
        for (RecordComponent component : record.getRecordComponents()) {
            if (component.getName().equals(name)) {
                return component.getGenericType();
            }
        }
        return null;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return null;
    }
}
