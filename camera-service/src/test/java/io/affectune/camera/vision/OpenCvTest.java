package io.affectune.camera.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/** The native library comes from the fixed cache directory, so a killed service leaves nothing new behind. */
class OpenCvTest {

    @Test
    void loadsTheNativeLibraryFromTheCacheDirectory() throws Exception {
        OpenCv.ensureLoaded();
        assertThat(OpenCv.nativeLibrary()).isNotNull();
        assertThat(OpenCv.nativeLibrary()).startsWith(OpenCv.cacheDirectory());
        assertThat(OpenCv.nativeLibrary().getParent().getFileName().toString()).startsWith(Core.VERSION);
        assertThat(Files.size(OpenCv.nativeLibrary())).isGreaterThan(1_000_000);
        try (var leftovers = Files.list(OpenCv.nativeLibrary().getParent())) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().endsWith(".part")))
                    .isEmpty();
        }
        Mat m = new Mat(2, 2, CvType.CV_8UC1);
        try {
            assertThat(m.rows()).isEqualTo(2);
        } finally {
            m.release();
        }
    }
}
