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
 */
public final class ImageDecoder {

    private final ImageAdmission admission;
    private final int maxWidth;
    private final int maxHeight;

    public ImageDecoder(ImageAdmission admission, int maxWidth, int maxHeight) {
        OpenCv.ensureLoaded();
        this.admission = admission;
        this.maxWidth = maxWidth;
        this.maxHeight = maxHeight;
    }

    public DecodedFrame decode(byte[] data) {
        AdmittedImage image = admission.admit(data);
        int reduction = 1;
        if (image.format() == ImageFormat.JPEG) {
            while (reduction < 8 && (image.width() / reduction > maxWidth || image.height() / reduction > maxHeight)) {
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
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Unreadable image",
                    "The " + image.format() + " image could not be decoded (corrupt data)");
        }
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
        return new DecodedFrame(decoded, image.width(), image.height());
    }
}
