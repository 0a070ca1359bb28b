package io.affectune.emotion.prediction;

import io.affectune.emotion.problem.InputProblem;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decodes one PNG or JPEG body defensively: the declared type and the magic bytes are checked, the
 * dimensions are read from the header BEFORE any pixel is decoded (so a decompression bomb is
 * refused without allocating its pixels), and a truncated file is refused instead of being decoded
 * with grey filler. Works in memory only: faces are personal data and never touch the disk.
 */
public final class ImageDecoder {

    static final Set<String> ACCEPTED_TYPES = Set.of("image/jpeg", "image/png", "image/jpg", "image/pjpeg");

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** 415 unless the declared media type is PNG or JPEG. */
    public static void checkDeclaredType(MediaType type) {
        if (type == null) {
            throw new InputProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "no Content-Type given; send the image as image/jpeg or image/png");
        }
        String typeAndSubtype = (type.getType() + "/" + type.getSubtype()).toLowerCase();
        if (!ACCEPTED_TYPES.contains(typeAndSubtype)) {
            throw new InputProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "Content-Type " + typeAndSubtype + " is not supported; send image/jpeg or image/png");
        }
    }

    /**
     * Width x height from the header (no pixel decoded), or -1 when the header needs the full
     * decoder to tell; invalid images are reported by {@link #decode} with a proper reason.
     */
    public long pixelsFromHeader(byte[] bytes) {
        if (bytes.length >= 24 && startsWith(bytes, PNG_MAGIC)) {
            return readUnsignedInt(bytes, 16) * readUnsignedInt(bytes, 20);
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(input, true, true);
                return (long) reader.getWidth(0) * reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                return -1;
            } finally {
                reader.dispose();
            }
        }
        return -1;
    }

    public BufferedImage decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new InputProblem(HttpStatus.BAD_REQUEST, "Empty image", "the image is empty (0 bytes)");
        }
        String format = sniff(bytes);
        if ("png".equals(format)) {
            checkPngHeader(bytes);
        }
        ImageReader reader = ImageIO.getImageReadersByFormatName(format).next();
        List<String> warnings = new ArrayList<>();
        IIOReadWarningListener warningListener = (source, warning) -> warnings.add(warning);
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, true);
            reader.addIIOReadWarningListener(warningListener);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw new InputProblem(HttpStatus.BAD_REQUEST, "Unreadable image",
                        "the " + format.toUpperCase() + " header cannot be read (" + reason(e)
                                + "); the file is damaged or truncated");
            }
            checkDimensions(width, height);
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw new InputProblem(HttpStatus.BAD_REQUEST, "Unreadable image",
                        "the " + format.toUpperCase() + " data cannot be decoded (" + reason(e)
                                + "); the file is damaged or truncated");
            }
            if (!warnings.isEmpty()) {
                throw new InputProblem(HttpStatus.BAD_REQUEST, "Unreadable image",
                        "the " + format.toUpperCase() + " file is damaged or truncated (" + warnings.get(0) + ")");
            }
            return image;
        } catch (IOException e) {
            throw new InputProblem(HttpStatus.BAD_REQUEST, "Unreadable image", "the image cannot be read: " + reason(e));
        } finally {
            reader.dispose();
        }
    }

    private void checkDimensions(long width, long height) {
        if (width <= 0 || height <= 0) {
            throw new InputProblem(HttpStatus.BAD_REQUEST, "Empty image",
                    "the image is " + width + "x" + height + " pixels; it must be at least 1x1");
        }
        if (width * height > maxPixels) {
            throw new InputProblem(HttpStatus.PAYLOAD_TOO_LARGE, "Image has too many pixels",
                    "the image is " + width + "x" + height + " = " + width * height + " pixels; the limit is "
                            + maxPixels + " pixels (EMOTION_MAX_IMAGE_PIXELS): send a face crop");
        }
    }

    /** PNG stores width and height in IHDR; ImageIO refuses 0 with a vague message, so check first. */
    private void checkPngHeader(byte[] bytes) {
        if (bytes.length < 33 || bytes[12] != 'I' || bytes[13] != 'H' || bytes[14] != 'D' || bytes[15] != 'R') {
            throw new InputProblem(HttpStatus.BAD_REQUEST, "Unreadable image",
                    "the PNG header (IHDR) is missing or truncated");
        }
        long width = readUnsignedInt(bytes, 16);
        long height = readUnsignedInt(bytes, 20);
        checkDimensions(width, height);
    }

    private static long readUnsignedInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFFL) << 24) | ((bytes[offset + 1] & 0xFFL) << 16)
                | ((bytes[offset + 2] & 0xFFL) << 8) | (bytes[offset + 3] & 0xFFL);
    }

    private static String sniff(byte[] bytes) {
        if (startsWith(bytes, PNG_MAGIC)) {
            return "png";
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        String other = otherImageFormat(bytes);
        if (other != null) {
            throw new InputProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "the body is a " + other + " image; only PNG and JPEG are accepted");
        }
        throw new InputProblem(HttpStatus.BAD_REQUEST, "Not an image",
                "the body is not a PNG or JPEG image (it does not start with a PNG or JPEG signature)");
    }

    private static String otherImageFormat(byte[] bytes) {
        if (startsWith(bytes, "GIF8".getBytes())) {
            return "GIF";
        }
        if (startsWith(bytes, "BM".getBytes())) {
            return "BMP";
        }
        if (bytes.length >= 12 && startsWith(bytes, "RIFF".getBytes())
                && new String(bytes, 8, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("WEBP")) {
            return "WebP";
        }
        if (startsWith(bytes, new byte[] {'I', 'I', 42, 0}) || startsWith(bytes, new byte[] {'M', 'M', 0, 42})) {
            return "TIFF";
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

}
