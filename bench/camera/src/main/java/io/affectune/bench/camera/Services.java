package io.affectune.bench.camera;

import io.affectune.testsupport.ServiceProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Starts emotion-service and camera-service from their jars for the benchmark and accuracy tools. */
final class Services implements AutoCloseable {

    final ServiceProcess emotion;
    final ServiceProcess camera;

    Services(String modelsDir) {
        this(modelsDir, List.of("-Xmx1g"));
    }

    Services(String modelsDir, List<String> cameraJvmArgs) {
        String fromEnv = System.getenv("MODELS_DIR");
        String models = modelsDir != null
                ? modelsDir
                : fromEnv != null && !fromEnv.isBlank()
                        ? fromEnv
                        : ServiceProcess.repositoryRoot().resolve("models").toString();
        emotion = ServiceProcess.start(
                "emotion-service",
                Map.of("MODELS_DIR", Path.of(models).toAbsolutePath().toString()),
                // as ./run.sh starts it (EMOTION_SERVICE_JAVA_OPTS): thread priorities applied, the JVM's own
                // threads kept at nice 0 also as root (its README, "Lanes")
                List.of(
                        "-Xmx1g",
                        "-XX:ThreadPriorityPolicy=1",
                        "-XX:JavaPriority6_To_OSPriority=0",
                        "-XX:JavaPriority7_To_OSPriority=0",
                        "-XX:JavaPriority8_To_OSPriority=0",
                        "-XX:JavaPriority9_To_OSPriority=0",
                        "-XX:JavaPriority10_To_OSPriority=0"));
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "MODELS_DIR", Path.of(models).toAbsolutePath().toString(),
                "EMOTION_SERVICE_URL", emotion.baseUrl(),
                "PLAYLIST_SERVICE_URL", System.getenv().getOrDefault("PLAYLIST_SERVICE_URL", "http://127.0.0.1:9")));
        // one client opening every session: its per-client creation limit (a guard against one address opening
        // sessions in a loop) would refuse the 11th within a minute; the benchmark stands for many clients
        env.put("SESSION_CREATE_PER_CLIENT_PER_MINUTE", "0");
        // camera-service settings given to the tool (e.g. FACE_DETECT_MAX_SIDE=320) pass through
        System.getenv().forEach((k, v) -> {
            if ((k.startsWith("FACE_") || k.startsWith("MOOD_") || k.startsWith("EMOTION_") || k.startsWith("SESSION_"))
                    && !k.endsWith("_URL")) {
                env.put(k, v);
            }
        });
        camera = ServiceProcess.start("camera-service", env, cameraJvmArgs);
    }

    @Override
    public void close() {
        camera.close();
        emotion.close();
    }
}
