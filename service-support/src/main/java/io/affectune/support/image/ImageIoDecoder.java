package io.affectune.support.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an admitted image with the JDK's ImageIO, in memory only (faces are personal data and never touch
 * the disk). A file that ImageIO reads only with warnings (damaged, truncated mid-scan) is refused rather than
 * returned with grey filler. OpenCV services decode with OpenCV instead, after the same {@link ImageAdmission}.
 */
public final class ImageIoDecoder {

    private ImageIoDecoder() {}

    public static BufferedImage decode(AdmittedImage admitted) {
        String format = admitted.format().name().toLowerCase(Locale.ROOT);
        ImageReader reader = ImageIO.getImageReadersByFormatName(format).next();
        List<String> warnings = new ArrayList<>();
        IIOReadWarningListener warningListener = (source, warning) -> warnings.add(warning);
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(admitted.bytes()))) {
            reader.setInput(input, true, true);
            reader.addIIOReadWarningListener(warningListener);
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw ImageAdmission.unreadable("The " + admitted.format() + " data cannot be decoded (" + reason(e)
                        + "); the file is damaged or truncated");
            }
            if (!warnings.isEmpty()) {
                throw ImageAdmission.unreadable(
                        "The " + admitted.format() + " file is damaged or truncated (" + warnings.get(0) + ")");
            }
            return image;
        } catch (IOException e) {
            throw ImageAdmission.unreadable("The image cannot be read: " + reason(e));
        } finally {
            reader.dispose();
        }
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
