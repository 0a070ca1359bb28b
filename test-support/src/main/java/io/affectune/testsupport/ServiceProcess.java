package io.affectune.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one of the project's services from its executable jar as a real child process, so that
 * end-to-end tests talk to the same artefact that users run rather than to an in-process copy.
 * The jar must have been packaged first (the reactor builds modules in order).
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String module;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final int port;
    private final Path jar;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private ServiceProcess(String module, Map<String, String> env, List<String> jvmArgs, int port) {
        this.module = module;
        this.env = Map.copyOf(env);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.port = port;
        this.jar = findJar(module);
        this.log = jar.getParent().resolve("it-" + module + "-" + port + ".log");
    }

    /** Starts the module's jar on a free port and waits until its health endpoint reports UP. */
    public static ServiceProcess start(String module, Map<String, String> env) {
        return start(module, env, List.of("-Xmx512m", "-XX:+UseSerialGC"));
    }

    public static ServiceProcess start(String module, Map<String, String> env, List<String> jvmArgs) {
        ServiceProcess service = new ServiceProcess(module, env, jvmArgs, freePort());
        service.launch();
        return service;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return log;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Resident memory of the service's JVM in KiB (VmRSS of /proc/&lt;pid&gt;/status, Linux only): what a
     * native leak (an unclosed OpenCV Mat or ONNX tensor) grows, unlike the Java heap figures.
     */
    public long residentKib() {
        if (process == null) {
            throw new IllegalStateException(module + " is not running");
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for " + module + " (pid " + process.pid() + ")");
    }

    /** Stops the process gracefully (SIGTERM), forcibly if it does not exit in time. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Stops and starts the service again on the same port, with the same environment. */
    public void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(repositoryRoot().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> childEnv = new HashMap<>(env);
        childEnv.put("SERVER_PORT", Integer.toString(port));
        builder.environment().putAll(childEnv);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + module + " from " + jar, e);
        }
        awaitHealthy();
    }

    private void awaitHealthy() {
        Instant deadline = Instant.now().plus(HEALTH_TIMEOUT);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        String lastAnswer = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with code " + process.exitValue()
                        + " before becoming healthy; log " + log + ":\n" + tail());
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                lastAnswer = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && response.body().contains("\"status\":\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + module, e);
            }
            sleep(Duration.ofMillis(250));
        }
        stop();
        throw new IllegalStateException(module + " did not become healthy within " + HEALTH_TIMEOUT + " (last answer: "
                + lastAnswer + "); log " + log + ":\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static Path findJar(String module) {
        Path target = repositoryRoot().resolve(module).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith(module + "-")
                                && name.endsWith(".jar")
                                && !name.endsWith("-plain.jar")
                                && !name.endsWith("-sources.jar")
                                && !name.endsWith("-tests.jar");
                    })
                    .findFirst()
                    .orElseThrow(() -> missingJar(module, target));
        } catch (IOException e) {
            throw missingJar(module, target);
        }
    }

    private static IllegalStateException missingJar(String module, Path target) {
        return new IllegalStateException("No executable jar of " + module + " in " + target
                + ": package it first (./mvnw -B -q -pl " + module + " -am package -DskipTests)");
    }

    /** The checkout's root: the nearest ancestor of the working directory holding the Maven wrapper. */
    public static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve(".mvn"))) {
                return p;
            }
        }
        throw new IllegalStateException("Not inside the Affectune checkout: " + dir);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
