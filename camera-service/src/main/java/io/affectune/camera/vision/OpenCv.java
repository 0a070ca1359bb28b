package io.affectune.camera.vision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.opencv.core.Core;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the OpenCV native library from the openpnp jar exactly once per JVM, from a fixed cache directory.
 *
 * <p>openpnp's own loader extracts the 63 MB library into a new /tmp/opencv_openpnp* directory at every
 * start and deletes it in a shutdown hook, which a kill -9 never runs: every crash left 63 MB behind. Here
 * the library is extracted once per OpenCV version and platform to {@code $OPENCV_CACHE_DIR} (default
 * {@code <java.io.tmpdir>/affectune-opencv}) and reused by every later start; a half-written file never
 * becomes visible (written beside it, then moved into place).
 */
public final class OpenCv {

    private static final Logger log = LoggerFactory.getLogger(OpenCv.class);

    private OpenCv() {}

    private static final class Holder {
        static final Path LOADED = load();
    }

    public static void ensureLoaded() {
        if (Holder.LOADED == null) {
            throw new IllegalStateException("OpenCV failed to load");
        }
    }

    /** Where the native library was loaded from (null where openpnp's loader had to be used). */
    public static Path nativeLibrary() {
        ensureLoaded();
        return Holder.LOADED.toString().isEmpty() ? null : Holder.LOADED;
    }

    static Path cacheDirectory() {
        String configured = System.getenv("OPENCV_CACHE_DIR");
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "affectune-opencv");
    }

    private static Path load() {
        String resource = resourceForThisPlatform();
        if (resource == null || OpenCv.class.getResource(resource) == null) {
            nu.pattern.OpenCV.loadLocally(); // a platform we have no path for: openpnp knows more of them
            return Path.of("");
        }
        Path dir = cacheDirectory().resolve(Core.VERSION + "-" + platform());
        Path library = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try {
            long size = resourceSize(resource);
            if (!Files.isRegularFile(library) || Files.size(library) != size) {
                Files.createDirectories(dir);
                Path part = Files.createTempFile(dir, "extracting-", ".part");
                try (InputStream in = OpenCv.class.getResourceAsStream(resource)) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                try {
                    Files.move(part, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, library, StandardCopyOption.REPLACE_EXISTING);
                }
                log.info("Extracted the OpenCV {} native library to {}", Core.VERSION, library);
            }
            System.load(library.toAbsolutePath().toString());
            return library;
        } catch (IOException | UnsatisfiedLinkError e) {
            log.warn("Could not use the OpenCV cache {} ({}); falling back to a temporary copy", library, e.toString());
            nu.pattern.OpenCV.loadLocally();
            return Path.of("");
        }
    }

    private static long resourceSize(String resource) throws IOException {
        try (InputStream in = OpenCv.class.getResourceAsStream(resource)) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osDir =
                os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : os.contains("win") ? "windows" : os;
        String archDir = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "ARMv8";
            case "arm" -> "ARMv7";
            case "x86", "i386", "i686" -> "x86_32";
            default -> arch;
        };
        return osDir + "-" + archDir;
    }

    /** The library's path inside the openpnp jar, e.g. /nu/pattern/opencv/linux/x86_64/libopencv_java490.so. */
    private static String resourceForThisPlatform() {
        String[] p = platform().split("-", 2);
        return "/nu/pattern/opencv/" + p[0] + "/" + p[1] + "/" + System.mapLibraryName(Core.NATIVE_LIBRARY_NAME);
    }
}
