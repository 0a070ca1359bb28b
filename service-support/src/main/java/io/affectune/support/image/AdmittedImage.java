package io.affectune.support.image;

/**
 * An image whose header has been read and judged affordable; no pixel is decoded yet.
 *
 * @param progressive a progressive JPEG or an interlaced (Adam7) PNG: decoding holds the whole image's
 *                    coefficients and passes over it several times, so it costs several times a baseline one
 */
public record AdmittedImage(ImageFormat format, int width, int height, boolean progressive, byte[] bytes) {

    public long pixels() {
        return (long) width * height;
    }
}
