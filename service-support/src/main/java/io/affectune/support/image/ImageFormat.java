package io.affectune.support.image;

/** The two formats images may come in, recognised by their bytes rather than by what the client claims. */
public enum ImageFormat {
    JPEG,
    PNG;

    public static ImageFormat sniff(byte[] data) {
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (data.length >= 8
                && (data[0] & 0xFF) == 0x89
                && data[1] == 'P'
                && data[2] == 'N'
                && data[3] == 'G'
                && data[4] == 0x0D
                && data[5] == 0x0A
                && data[6] == 0x1A
                && data[7] == 0x0A) {
            return PNG;
        }
        return null;
    }

    /** A recognisable image format that no service takes (answered with 415, not 400), or null. */
    public static String otherImageFormat(byte[] data) {
        if (data.length >= 6 && data[0] == 'G' && data[1] == 'I' && data[2] == 'F') {
            return "GIF";
        }
        if (data.length >= 2 && data[0] == 'B' && data[1] == 'M') {
            return "BMP";
        }
        if (data.length >= 12
                && data[0] == 'R'
                && data[1] == 'I'
                && data[2] == 'F'
                && data[3] == 'F'
                && data[8] == 'W'
                && data[9] == 'E'
                && data[10] == 'B'
                && data[11] == 'P') {
            return "WebP";
        }
        if (data.length >= 4
                && ((data[0] == 'I' && data[1] == 'I' && data[2] == 42 && data[3] == 0)
                        || (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == 42))) {
            return "TIFF";
        }
        return null;
    }
}
