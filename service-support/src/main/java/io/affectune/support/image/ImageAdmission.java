package io.affectune.support.image;

import io.affectune.support.problem.ApiProblem;
import org.springframework.http.HttpStatus;

/**
 * The one policy for untrusted image bytes in every service, applied before a single pixel is decoded:
 * the format is sniffed from the bytes (JPEG or PNG; GIF, BMP, WebP and TIFF get 415, anything else 400),
 * the dimensions and the progressive/interlaced flag are read from the header, the decode cost is held to a
 * budget (so a 94 KB progressive 4000x4000 JPEG, three seconds of decoding, or a 35 KB PNG claiming 6000x6000
 * is refused in microseconds), and a truncated file (no JPEG end-of-image, no PNG IEND) is refused rather
 * than decoded into grey filler.
 *
 * <p>Decode cost is counted in baseline pixels: width x height, times {@code progressiveWeight} for a
 * progressive JPEG or an interlaced PNG (4 by default, measured: ImageIO decodes a progressive 4000x4000
 * JPEG in ~3 s against ~0.25 s baseline; libjpeg's gap is smaller but the whole coefficient buffer is held).
 *
 * @param maxCost           the budget in baseline pixels (the services' MAX_IMAGE_PIXELS settings)
 * @param progressiveWeight what one progressive or interlaced pixel counts for
 * @param setting           the environment variable that sets the budget, named in the refusal
 */
public record ImageAdmission(long maxCost, int progressiveWeight, String setting) {

    public ImageAdmission {
        if (maxCost <= 0 || progressiveWeight < 1) {
            throw new IllegalArgumentException("maxCost must be > 0 and progressiveWeight >= 1");
        }
    }

    public AdmittedImage admit(byte[] data) {
        if (data == null || data.length == 0) {
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Empty image",
                    "The image is empty: the request has no image (0 bytes); send a JPEG or PNG");
        }
        ImageFormat format = ImageFormat.sniff(data);
        if (format == null) {
            String other = ImageFormat.otherImageFormat(data);
            if (other != null) {
                throw new ApiProblem(
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                        "Unsupported image type",
                        "The body is a " + other + " image; only JPEG and PNG are accepted");
            }
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Not an image",
                    "The body is not a JPEG or PNG image (it does not start with a JPEG or PNG signature)");
        }
        AdmittedImage image = format == ImageFormat.JPEG ? jpegHeader(data) : pngHeader(data);
        if (image.width() <= 0 || image.height() <= 0) {
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Empty image",
                    "The image has zero width or height (" + image.width() + "x" + image.height()
                            + " pixels); it must be at least 1x1");
        }
        long cost = image.pixels() * (image.progressive() ? progressiveWeight : 1);
        if (cost > maxCost) {
            String kind = image.progressive() ? (format == ImageFormat.JPEG ? "progressive " : "interlaced ") : "";
            throw ApiProblem.tooLarge(
                            "Image has too many pixels",
                            "The " + kind + format + " image is "
                                    + image.width() + "x" + image.height() + " pixels"
                                    + (image.progressive()
                                            ? " (each counts " + progressiveWeight
                                                    + " times: progressive decoding costs that much more)"
                                            : "")
                                    + "; at most " + maxCost + " pixels are decoded (" + setting
                                    + "): send a smaller image")
                    .type("image-too-many-pixels")
                    .with("maxPixels", maxCost);
        }
        requireComplete(format, data);
        return image;
    }

    private static void requireComplete(ImageFormat format, byte[] data) {
        if (format == ImageFormat.JPEG) {
            // EOI can be followed by padding some encoders add; FF D9 never occurs inside entropy-coded data
            for (int i = data.length - 2; i >= Math.max(2, data.length - 512); i--) {
                if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0xFF) == 0xD9) {
                    return;
                }
            }
            throw unreadable("The JPEG image is damaged or truncated (no end-of-image marker)");
        }
        int n = data.length;
        if (n < 20 || data[n - 8] != 'I' || data[n - 7] != 'E' || data[n - 6] != 'N' || data[n - 5] != 'D') {
            throw unreadable("The PNG image is damaged or truncated (no IEND chunk)");
        }
    }

    static AdmittedImage pngHeader(byte[] data) {
        if (data.length < 33 || data[12] != 'I' || data[13] != 'H' || data[14] != 'D' || data[15] != 'R') {
            throw unreadable("The PNG image has no header (IHDR): it is damaged or truncated");
        }
        return new AdmittedImage(ImageFormat.PNG, readInt(data, 16), readInt(data, 20), data[28] == 1, data);
    }

    static AdmittedImage jpegHeader(byte[] data) {
        int i = 2;
        while (i + 3 < data.length) {
            if ((data[i] & 0xFF) != 0xFF) {
                throw unreadable("The JPEG image is malformed (bad marker)");
            }
            int marker = data[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                break;
            }
            int length = ((data[i + 2] & 0xFF) << 8) | (data[i + 3] & 0xFF);
            boolean startOfFrame =
                    marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 8 >= data.length) {
                    break;
                }
                int height = ((data[i + 5] & 0xFF) << 8) | (data[i + 6] & 0xFF);
                int width = ((data[i + 7] & 0xFF) << 8) | (data[i + 8] & 0xFF);
                // SOF2, SOF6, SOF10, SOF14: progressive
                boolean progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
                return new AdmittedImage(ImageFormat.JPEG, width, height, progressive, data);
            }
            if (length < 2) {
                throw unreadable("The JPEG image is malformed (bad segment length)");
            }
            i += 2 + length;
        }
        throw unreadable("The JPEG image has no frame header (truncated or corrupt)");
    }

    static ApiProblem unreadable(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "Unreadable image", detail);
    }

    private static int readInt(byte[] data, int offset) {
        long value = ((long) (data[offset] & 0xFF) << 24)
                | ((data[offset + 1] & 0xFF) << 16)
                | ((data[offset + 2] & 0xFF) << 8)
                | (data[offset + 3] & 0xFF);
        return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
    }
}
