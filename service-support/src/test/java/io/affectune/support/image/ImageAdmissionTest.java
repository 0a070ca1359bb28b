package io.affectune.support.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.affectune.support.problem.ApiProblem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/** The shared image policy on real encoded images: what is decoded, and what is refused before decoding. */
class ImageAdmissionTest {

    private final ImageAdmission admission = new ImageAdmission(16_777_216, 4, "MAX_IMAGE_PIXELS");

    @Test
    void admitsBaselineJpegAndPngAndDecodesThem() throws IOException {
        AdmittedImage jpeg = admission.admit(jpeg(64, 48, false));
        assertThat(jpeg.format()).isEqualTo(ImageFormat.JPEG);
        assertThat(jpeg.width()).isEqualTo(64);
        assertThat(jpeg.height()).isEqualTo(48);
        assertThat(jpeg.progressive()).isFalse();
        assertThat(ImageIoDecoder.decode(jpeg).getWidth()).isEqualTo(64);

        AdmittedImage png = admission.admit(png(30, 20));
        assertThat(png.format()).isEqualTo(ImageFormat.PNG);
        assertThat(ImageIoDecoder.decode(png).getHeight()).isEqualTo(20);
    }

    @Test
    void progressiveJpegPixelsCountFourTimes() throws IOException {
        AdmittedImage small = admission.admit(jpeg(64, 64, true));
        assertThat(small.progressive()).isTrue();

        // 4000x4000 progressive: 16 M pixels x 4 is over the 16.7 M budget; refused from the header alone
        byte[] bomb = jpeg(4000, 4000, true);
        assertThatThrownBy(() -> admission.admit(bomb)).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status().value()).isEqualTo(413);
            assertThat(p.slug()).isEqualTo("image-too-many-pixels");
            assertThat(p.getMessage()).contains("progressive", "4000x4000", "MAX_IMAGE_PIXELS");
        });
        // the same picture as a baseline JPEG fits the budget
        assertThat(admission.admit(jpeg(4000, 4000, false)).pixels()).isEqualTo(16_000_000L);
    }

    @Test
    void refusesAHeaderClaimingGigapixelsWithoutDecoding() throws IOException {
        byte[] png = png(8, 8);
        // IHDR width at offset 16: claim 60000 x 60000
        png[16] = 0;
        png[17] = 0;
        png[18] = (byte) 0xEA;
        png[19] = 0x60;
        png[20] = 0;
        png[21] = 0;
        png[22] = (byte) 0xEA;
        png[23] = 0x60;
        assertThatThrownBy(() -> admission.admit(png))
                .isInstanceOfSatisfying(
                        ApiProblem.class, p -> assertThat(p.status().value()).isEqualTo(413));
    }

    @Test
    void refusesTruncatedOtherAndNonImages() throws IOException {
        byte[] jpeg = jpeg(64, 64, false);
        assertStatus(Arrays.copyOf(jpeg, jpeg.length / 2), 400, "truncated");
        byte[] png = png(16, 16);
        assertStatus(Arrays.copyOf(png, png.length - 12), 400, "truncated");
        assertStatus("GIF89a......".getBytes(), 415, "GIF");
        assertStatus("{\"not\": \"an image\"}".getBytes(), 400, "not a JPEG or PNG");
        assertStatus(new byte[0], 400, "empty");
    }

    private void assertStatus(byte[] data, int status, String detailPart) {
        assertThatThrownBy(() -> admission.admit(data)).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status().value()).isEqualTo(status);
            assertThat(p.getMessage()).containsIgnoringCase(detailPart);
        });
    }

    static byte[] jpeg(int width, int height, boolean progressive) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y += 7) {
            for (int x = 0; x < width; x += 5) {
                image.setRGB(x, y, (x * 31 + y * 17) & 0xFFFFFF);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}
