package io.affectune.camera.vision;

import io.affectune.camera.web.ApiException;
import org.springframework.http.HttpStatus;

/** An image the service will not process, with the HTTP status and a message a person can act on. */
public class ImageRejectedException extends ApiException {

    public ImageRejectedException(HttpStatus status, String title, String detail) {
        super(status, title, detail);
    }

    public static ImageRejectedException badImage(String detail) {
        return new ImageRejectedException(HttpStatus.BAD_REQUEST, "Unreadable image", detail);
    }

    public static ImageRejectedException tooLarge(String detail) {
        return new ImageRejectedException(HttpStatus.PAYLOAD_TOO_LARGE, "Image too large", detail);
    }

    public static ImageRejectedException unsupported(String detail) {
        return new ImageRejectedException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported image type", detail);
    }
}
