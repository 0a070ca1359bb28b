package io.affectune.camera.vision;

/** An image the service will not process, with the HTTP status and a message a person can act on. */
public class ImageRejectedException extends RuntimeException {

    private final int status;
    private final String title;

    public ImageRejectedException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public static ImageRejectedException badImage(String detail) {
        return new ImageRejectedException(400, "Unreadable image", detail);
    }

    public static ImageRejectedException tooLarge(String detail) {
        return new ImageRejectedException(413, "Image too large", detail);
    }

    public static ImageRejectedException unsupported(String detail) {
        return new ImageRejectedException(415, "Unsupported image type", detail);
    }
}
