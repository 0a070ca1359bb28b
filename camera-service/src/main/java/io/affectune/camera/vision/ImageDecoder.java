package io.affectune.camera.vision;

import io.affectune.support.image.AdmittedImage;
import io.affectune.support.image.ImageAdmission;
import io.affectune.support.image.ImageFormat;
import io.affectune.support.problem.ApiProblem;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.springframework.http.HttpStatus;

/**
 * Turns untrusted bytes into a frame: the shared {@link ImageAdmission} judges the header first (format, a
 * decode budget that counts progressive JPEG pixels several times, completeness), so a pixel bomb is refused
 * without allocating it; then OpenCV decodes. Frames over the frame limit are reduced (JPEG decodes at 1/2,
 * 1/4 or 1/8 scale directly, which is also faster) and then resized to fit.
 *
 * <p>A JPEG frame within the limit is first decoded only at the smallest of those scales whose longer side is still
 * at least {@code reducedSide} (the face detector's input size): a 640x480 camera frame at 320x240 in about 0.45 of
 * a full decode's time, with no resize left for the detector. The full resolution is decoded later only if a step
 * needs it ({@link Frame}).
 */
public final class ImageDecoder {

    private final ImageAdmission admission;
    private final int maxWidth;
    private final int maxHeight;
    private final int reducedSide;

    /** @param reducedSide the longer side a reduced JPEG decode keeps at least; 0: always decode in full */
    public ImageDecoder(ImageAdmission admission, int maxWidth, int maxHeight, int reducedSide) {
        OpenCv.ensureLoaded();
        this.admission = admission;
        this.maxWidth = maxWidth;
        this.maxHeight = maxHeight;
        this.reducedSide = reducedSide;
    }

    /** The frame of encoded image bytes; bad input fails with an ApiProblem (4xx). The caller closes it. */
    public Frame decode(byte[] data) {
        AdmittedImage image = admission.admit(data);
        if (image.format() == ImageFormat.JPEG
                && reducedSide > 0
                && image.width() <= maxWidth
                && image.height() <= maxHeight) {
            int reduction = 1;
            while (reduction < 8 && Math.max(image.width(), image.height()) / (reduction * 2) >= reducedSide) {
                reduction *= 2;
            }
            if (reduction > 1) {
                Mat small = imdecode(image, data, flags(reduction));
                int width = image.width();
                int height = image.height();
                if (!fits(small, width, height, reduction)) {
                    // turned by its EXIF orientation (OpenCV applies it): the frame is the other way round
                    width = image.height();
                    height = image.width();
                }
                if (fits(small, width, height, reduction)) {
                    return Frame.reduced(width, height, small, () -> imdecode(image, data, Imgcodecs.IMREAD_COLOR));
                }
                small.release(); // a size libjpeg's scaling does not explain: decode in full, as below
            }
        }
        return decodeWithinLimit(image, data);
    }

    /** Whether a frame reduced by {@code reduction} from width x height has the size libjpeg gives it (rounded up). */
    private static boolean fits(Mat reduced, int width, int height, int reduction) {
        return reduced.cols() == (width + reduction - 1) / reduction
                && reduced.rows() == (height + reduction - 1) / reduction;
    }

    private static int flags(int reduction) {
        return switch (reduction) {
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            default -> Imgcodecs.IMREAD_COLOR;
        };
    }

    private Frame decodeWithinLimit(AdmittedImage image, byte[] data) {
        int reduction = 1;
        if (image.format() == ImageFormat.JPEG) {
            while (reduction < 8 && (image.width() / reduction > maxWidth || image.height() / reduction > maxHeight)) {
                reduction *= 2;
            }
        }
        Mat decoded = imdecode(image, data, flags(reduction));
        if (decoded.cols() > maxWidth || decoded.rows() > maxHeight) {
            double scale = Math.min((double) maxWidth / decoded.cols(), (double) maxHeight / decoded.rows());
            Mat resized = new Mat();
            try {
                Imgproc.resize(
                        decoded,
                        resized,
                        new Size(
                                Math.max(1, Math.round(decoded.cols() * scale)),
                                Math.max(1, Math.round(decoded.rows() * scale))),
                        0,
                        0,
                        Imgproc.INTER_AREA);
            } catch (RuntimeException e) {
                resized.release();
                throw e;
            } finally {
                decoded.release();
            }
            decoded = resized;
        }
        return Frame.decoded(decoded, image.width(), image.height());
    }

    private static Mat imdecode(AdmittedImage image, byte[] data, int flags) {
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
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Unreadable image",
                    "The " + image.format() + " image could not be decoded (corrupt data)");
        }
        return decoded;
    }
}
