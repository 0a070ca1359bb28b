package io.affectune.e2e;

import io.affectune.testsupport.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real emotion model and the services' jars are, for the end-to-end tests. */
final class RealServices {

    private RealServices() {}

    static Path repository() {
        return ServiceProcess.repositoryRoot();
    }

    /** MODELS_DIR when set (e.g. a development model), else the repository's models/ directory. */
    static Path modelsDir() {
        String configured = System.getenv("MODELS_DIR");
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : repository().resolve("models");
    }

    static boolean modelPresent() {
        return Files.isRegularFile(modelsDir().resolve("effnetb3-fer2013-int8").resolve("model.json"));
    }

    static boolean jarBuilt(String module) {
        try (var files = Files.list(repository().resolve(module).resolve("target"))) {
            return files.anyMatch(p -> p.getFileName().toString().matches(module + "-.*\\.jar"));
        } catch (IOException e) {
            return false;
        }
    }

    static boolean jarsBuilt(String... modules) {
        for (String module : modules) {
            if (!jarBuilt(module)) {
                return false;
            }
        }
        return true;
    }

    /** A port nothing listens on right now (for a service's second, management port). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every service and database given, best effort, in order. */
    static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }
}
