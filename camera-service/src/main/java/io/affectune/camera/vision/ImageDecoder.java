package io.affectune.camera.vision;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Turns untrusted bytes into a frame, refusing what would hurt the service before decoding: the
 * dimensions are read from the JPEG/PNG header first, so a small file that claims gigapixels (a pixel
 * bomb) is refused without allocating them, and a truncated file (no JPEG EOI / PNG IEND) is refused
 * rather than decoded into half-grey garbage. Frames over the frame limit are reduced (JPEG decodes
 * at 1/2, 1/4 or 1/8 scale directly, which is also faster) and then resized to fit.
 */
public final class ImageDecoder {

    private final long maxPixels;
    private final int maxWidth;
    private final int maxHeight;

    public ImageDecoder(long maxPixels, int maxWidth, int maxHeight) {
        OpenCv.ensureLoaded();
        this.maxPixels = maxPixels;
        this.maxWidth = maxWidth;
        this.maxHeight = maxHeight;
    }

    public record Dimensions(int width, int height) {
    }

    public DecodedFrame decode(byte[] data) {
        if (data == null || data.length == 0) {
            throw ImageRejectedException.badImage("The request has no image: send a JPEG or PNG as the body");
        }
        ImageFormat format = ImageFormat.sniff(data);
        if (format == null) {
            String other = ImageFormat.otherImageFormat(data);
            if (other != null) {
                throw ImageRejectedException.unsupported(other + " images are not supported: send JPEG or PNG");
            }
            throw ImageRejectedException.badImage("The body is not a JPEG or PNG image");
        }
        Dimensions dims = format == ImageFormat.JPEG ? jpegDimensions(data) : pngDimensions(data);
        if (dims.width() <= 0 || dims.height() <= 0) {
            throw ImageRejectedException.badImage("The image has zero width or height");
        }
        if ((long) dims.width() * dims.height() > maxPixels) {
            throw ImageRejectedException.tooLarge("The image is " + dims.width() + "x" + dims.height()
                    + " pixels; at most " + maxPixels + " pixels are accepted");
        }
        requireComplete(format, data);

        int reduction = 1;
        if (format == ImageFormat.JPEG) {
            while (reduction < 8 && (dims.width() / reduction > maxWidth || dims.height() / reduction > maxHeight)) {
                reduction *= 2;
            }
        }
        int flags = switch (reduction) {
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            default -> Imgcodecs.IMREAD_COLOR;
        };
        MatOfByte buffer = new MatOfByte(data);
        Mat decoded;
        try {
            decoded = Imgcodecs.imdecode(buffer, flags);
        } finally {
            buffer.release();
        }
        if (decoded == null || decoded.empty()) {
            if (decoded != null) {
                decoded.release();
            }
            throw ImageRejectedException.badImage("The " + format + " image could not be decoded (corrupt data)");
        }
        if (decoded.cols() > maxWidth || decoded.rows() > maxHeight) {
            double scale = Math.min((double) maxWidth / decoded.cols(), (double) maxHeight / decoded.rows());
            Mat resized = new Mat();
            try {
                Imgproc.resize(decoded, resized, new Size(Math.max(1, Math.round(decoded.cols() * scale)),
                        Math.max(1, Math.round(decoded.rows() * scale))), 0, 0, Imgproc.INTER_AREA);
            } catch (RuntimeException e) {
                resized.release();
                throw e;
            } finally {
                decoded.release();
            }
            decoded = resized;
        }
        return new DecodedFrame(decoded, dims.width(), dims.height());
    }

    private static void requireComplete(ImageFormat format, byte[] data) {
        if (format == ImageFormat.JPEG) {
            // EOI can be followed by padding some encoders add; FF D9 never occurs inside entropy-coded data
            for (int i = data.length - 2; i >= Math.max(2, data.length - 512); i--) {
                if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0xFF) == 0xD9) {
                    return;
                }
            }
            throw ImageRejectedException.badImage("The JPEG image is truncated (no end-of-image marker)");
        }
        int n = data.length;
        if (n < 20 || data[n - 8] != 'I' || data[n - 7] != 'E' || data[n - 6] != 'N' || data[n - 5] != 'D') {
            throw ImageRejectedException.badImage("The PNG image is truncated (no IEND chunk)");
        }
    }

    static Dimensions pngDimensions(byte[] data) {
        if (data.length < 24 || data[12] != 'I' || data[13] != 'H' || data[14] != 'D' || data[15] != 'R') {
            throw ImageRejectedException.badImage("The PNG image has no header (IHDR)");
        }
        return new Dimensions(readInt(data, 16), readInt(data, 20));
    }

    static Dimensions jpegDimensions(byte[] data) {
        int i = 2;
        while (i + 3 < data.length) {
            if ((data[i] & 0xFF) != 0xFF) {
                throw ImageRejectedException.badImage("The JPEG image is malformed (bad marker)");
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
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 8 >= data.length) {
                    break;
                }
                int height = ((data[i + 5] & 0xFF) << 8) | (data[i + 6] & 0xFF);
                int width = ((data[i + 7] & 0xFF) << 8) | (data[i + 8] & 0xFF);
                return new Dimensions(width, height);
            }
            if (length < 2) {
                throw ImageRejectedException.badImage("The JPEG image is malformed (bad segment length)");
            }
            i += 2 + length;
        }
        throw ImageRejectedException.badImage("The JPEG image has no frame header (truncated or corrupt)");
    }

    private static int readInt(byte[] data, int offset) {
        long value = ((long) (data[offset] & 0xFF) << 24) | ((data[offset + 1] & 0xFF) << 16)
                | ((data[offset + 2] & 0xFF) << 8) | (data[offset + 3] & 0xFF);
        return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
    }
}
