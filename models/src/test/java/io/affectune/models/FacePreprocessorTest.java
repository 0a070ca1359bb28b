package io.affectune.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class FacePreprocessorTest {

    /** Expected values printed by PyTorch 1.13: F.interpolate(x, size=(6, 7), mode="bilinear", align_corners=False). */
    @Test
    void bilinearMatchesPyTorchHalfPixelCentres() {
        float[] src = {0, 13, 21, 37, 40, 53, 61, 77, 80, 93, 101, 117, 120, 133, 141, 157};
        float[][] expected = {
            {0.0f, 4.642857551574707f, 12.071429252624512f, 17.0f, 22.142860412597656f, 31.285717010498047f, 37.0f},
            {20.0f, 24.64285659790039f, 32.07143020629883f, 37.0f, 42.142860412597656f, 51.28571701049805f, 57.0f},
            {
                46.66666793823242f,
                51.30952072143555f,
                58.73809814453125f,
                63.66666793823242f,
                68.80952453613281f,
                77.95238494873047f,
                83.66667175292969f
            },
            {
                73.33333587646484f,
                77.9761962890625f,
                85.40476989746094f,
                90.33333587646484f,
                95.4761962890625f,
                104.61904907226562f,
                110.33334350585938f
            },
            {
                100.00000762939453f,
                104.64286041259766f,
                112.0714340209961f,
                117.00000762939453f,
                122.14286804199219f,
                131.2857208251953f,
                137.00001525878906f
            },
            {
                120.0f,
                124.64285278320312f,
                132.07144165039062f,
                137.0f,
                142.1428680419922f,
                151.2857208251953f,
                157.00001525878906f
            }
        };
        float[] out = FacePreprocessor.bilinear(src, 4, 4, 7, 6);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 7; x++) {
                assertThat(out[y * 7 + x]).as("(%d,%d)", y, x).isCloseTo(expected[y][x], within(1e-4f));
            }
        }
    }

    /** 48x48 -> 96x96 with the manifest's normalisation; expected values from PyTorch. */
    @Test
    void fullPipelineMatchesPyTorchFor48To96() {
        byte[] gray = new byte[48 * 48];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (byte) ((i * 37) % 256);
        }
        FacePreprocessor preprocessor = new FacePreprocessor(input(1, 96, 96, 48, false));
        float[] tensor = preprocessor.preprocessGray(gray, 48, 48);
        assertThat(tensor).hasSize(96 * 96);
        float[] lastRowTail = {
            0.06470584869384766f,
            0.20980393886566162f,
            0.35490190982818604f,
            0.5f,
            0.645098090171814f,
            0.7176470756530762f
        };
        for (int i = 0; i < lastRowTail.length; i++) {
            assertThat(tensor[95 * 96 + 90 + i]).isCloseTo(lastRowTail[i], within(1e-5f));
        }
        // first row 0, 9.25, 27.75, ... in pixel units
        assertThat(tensor[1]).isCloseTo((9.25f / 255f - 0.5f) / 0.5f, within(1e-5f));
    }

    @Test
    void grayscaleIsBt601RoundedNotJavasLinearGray() {
        BufferedImage rgb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xFF0000);
        rgb.setRGB(1, 0, 0x00FF00);
        rgb.setRGB(2, 0, 0x804020);
        byte[] gray = FacePreprocessor.toGray(rgb);
        assertThat(gray[0] & 0xFF).isEqualTo(76); // 0.299*255 = 76.245
        assertThat(gray[1] & 0xFF).isEqualTo(150); // 0.587*255 = 149.685
        assertThat(gray[2] & 0xFF).isEqualTo(Math.round(0.299 * 128 + 0.587 * 64 + 0.114 * 32));
    }

    @Test
    void grayImagesKeepTheirStoredSamples() {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        gray.getRaster().setSample(1, 0, 0, 200);
        byte[] out = FacePreprocessor.toGray(gray);
        assertThat(out[0] & 0xFF).isEqualTo(100);
        assertThat(out[1] & 0xFF).isEqualTo(200);
    }

    @Test
    void areaResizeAveragesCoveredPixels() {
        // 4x4 -> 2x2: each output is the mean of a 2x2 block
        byte[] src = {0, 10, 20, 30, 10, 20, 30, 40, (byte) 100, (byte) 100, 0, 0, (byte) 100, (byte) 101, 0, 1};
        byte[] out = FacePreprocessor.areaResize(src, 4, 4, 2, 2);
        assertThat(out[0] & 0xFF).isEqualTo(10);
        assertThat(out[1] & 0xFF).isEqualTo(30);
        assertThat(out[2] & 0xFF).isEqualTo(100); // 100.25 rounds down
        assertThat(out[3] & 0xFF).isEqualTo(0); // 0.25
        // 3x3 -> 2x2: fractional coverage, each output covers 1.5 x 1.5 pixels
        byte[] three = {0, 0, (byte) 90, 0, 0, (byte) 90, (byte) 90, (byte) 90, (byte) 90};
        byte[] two = FacePreprocessor.areaResize(three, 3, 3, 2, 2);
        // top-left covers pixels (0..1.5)^2: weights 1,0.5 ; values all 0 except none -> 0
        assertThat(two[0] & 0xFF).isEqualTo(0);
        // top-right covers x 1.5..3, y 0..1.5: (0.5*0 + 1*90) per row -> 60 each row
        assertThat(two[1] & 0xFF).isEqualTo(60);
        // bottom-right: x 1.5..3 y 1.5..3: rows weighted 0.5 (row1: 0.5*0+90) and 1 (row2: 90) -> (0.5*60 + 1*90)/1.5 =
        // 80
        assertThat(two[3] & 0xFF).isEqualTo(80);
    }

    @Test
    void facesOfAnotherSizeAreFirstBroughtToSourceSize() {
        // a 96x96 face made of 2x2 blocks of a 48x48 pattern: area-resizing gives the pattern back exactly
        byte[] small = new byte[48 * 48];
        for (int i = 0; i < small.length; i++) {
            small[i] = (byte) ((i * 13) % 256);
        }
        byte[] big = new byte[96 * 96];
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                big[y * 96 + x] = small[(y / 2) * 48 + x / 2];
            }
        }
        FacePreprocessor preprocessor = new FacePreprocessor(input(1, 96, 96, 48, false));
        assertThat(preprocessor.preprocessGray(big, 96, 96))
                .containsExactly(preprocessor.preprocessGray(small, 48, 48));
    }

    @Test
    void threeChannelsReplicateGrayWithPerChannelNormalisation() {
        ModelManifest.Input input = new ModelManifest.Input(
                "input",
                "NCHW",
                3,
                2,
                2,
                "bt601",
                null,
                "bilinear",
                false,
                1.0 / 255,
                List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225));
        float[] tensor = new FacePreprocessor(input).preprocessGray(new byte[] {(byte) 255, 0, 0, 0}, 2, 2);
        assertThat(tensor).hasSize(12);
        assertThat(tensor[0]).isCloseTo((float) ((1 - 0.485) / 0.229), within(1e-5f));
        assertThat(tensor[4]).isCloseTo((float) ((1 - 0.456) / 0.224), within(1e-5f));
        assertThat(tensor[8 + 1]).isCloseTo((float) ((0 - 0.406) / 0.225), within(1e-5f));
    }

    @Test
    void histogramEqualisationSpreadsValues() {
        byte[] src = {10, 10, 20, 30};
        byte[] out = FacePreprocessor.equalizeHistogram(src, 4);
        assertThat(out[0] & 0xFF).isEqualTo(0);
        assertThat(out[2] & 0xFF).isEqualTo(128); // round(1 * 255/2)
        assertThat(out[3] & 0xFF).isEqualTo(255);
    }

    @Test
    void flipMirrorsEachRow() {
        FacePreprocessor preprocessor = new FacePreprocessor(input(1, 1, 3, null, false));
        assertThat(preprocessor.flipHorizontally(new float[] {1, 2, 3})).containsExactly(3, 2, 1);
    }

    static ModelManifest.Input input(int channels, int height, int width, Integer sourceSize, boolean equalize) {
        return new ModelManifest.Input(
                "input",
                "NCHW",
                channels,
                height,
                width,
                "bt601",
                sourceSize,
                "bilinear",
                equalize,
                0.00392156862745098,
                List.of(0.5),
                List.of(0.5));
    }
}
