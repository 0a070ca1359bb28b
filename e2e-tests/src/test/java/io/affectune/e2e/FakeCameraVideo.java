package io.affectune.e2e;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes a YUV4MPEG2 (4:2:0) video for Chromium's fake camera (--use-file-for-fake-video-capture):
 * a validation face from FER2013, enlarged and placed on a plain background, moving a little from
 * frame to frame as a real face in front of a webcam does. Chromium loops the file.
 */
final class FakeCameraVideo {

    static final int WIDTH = 640;
    static final int HEIGHT = 480;

    private FakeCameraVideo() {}

    static Path write(String faceResource, int faceSize, int frames, int fps, Path target) throws IOException {
        BufferedImage face;
        try (InputStream in = FakeCameraVideo.class.getResourceAsStream(faceResource)) {
            if (in == null) {
                throw new IllegalStateException("Test resource " + faceResource + " is missing");
            }
            face = ImageIO.read(in);
        }
        Files.createDirectories(target.getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 20)) {
            out.write(("YUV4MPEG2 W" + WIDTH + " H" + HEIGHT + " F" + fps + ":1 Ip A1:1 C420\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < frames; i++) {
                // a slow sway of a few pixels, so consecutive frames are not identical
                int dx = (int) Math.round(6 * Math.sin(2 * Math.PI * i / frames));
                int dy = (int) Math.round(3 * Math.cos(2 * Math.PI * i / frames));
                writeFrame(out, compose(face, faceSize, dx, dy));
            }
        }
        return target;
    }

    /**
     * The same scene as a Motion-JPEG AVI file (RIFF, one video stream, idx1 index), for the server-side
     * source fallback: OpenCV opens it with its built-in MJPEG reader, no FFmpeg needed.
     */
    static Path writeMjpegAvi(String faceResource, int faceSize, int frames, int fps, Path target) throws IOException {
        BufferedImage face;
        try (InputStream in = FakeCameraVideo.class.getResourceAsStream(faceResource)) {
            face = ImageIO.read(in);
        }
        java.util.List<byte[]> jpegs = new java.util.ArrayList<>();
        for (int i = 0; i < frames; i++) {
            int dx = (int) Math.round(6 * Math.sin(2 * Math.PI * i / frames));
            java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
            ImageIO.write(compose(face, faceSize, dx, 0), "jpg", jpeg);
            jpegs.add(jpeg.toByteArray());
        }
        int maxFrame = jpegs.stream().mapToInt(b -> b.length).max().orElse(0);
        java.io.ByteArrayOutputStream movi = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream index = new java.io.ByteArrayOutputStream();
        for (byte[] jpeg : jpegs) {
            int offset = 4 + movi.size(); // relative to the 'movi' fourcc
            movi.write(fourcc("00dc"));
            movi.write(le32(jpeg.length));
            movi.write(jpeg);
            if (jpeg.length % 2 == 1) {
                movi.write(0);
            }
            index.write(fourcc("00dc"));
            index.write(le32(0x10)); // AVIIF_KEYFRAME
            index.write(le32(offset));
            index.write(le32(jpeg.length));
        }
        java.io.ByteArrayOutputStream avih = new java.io.ByteArrayOutputStream();
        for (int value :
                new int[] {1_000_000 / fps, maxFrame * fps, 0, 0x10, frames, 0, 1, maxFrame, WIDTH, HEIGHT, 0, 0, 0, 0
                }) {
            avih.write(le32(value));
        }
        java.io.ByteArrayOutputStream strh = new java.io.ByteArrayOutputStream();
        strh.write(fourcc("vids"));
        strh.write(fourcc("MJPG"));
        for (int value : new int[] {0, 0, 0, 1, fps, 0, frames, maxFrame, -1, 0
        }) { // flags, priority+language, initial, scale, rate, start, length, buffer, quality, sample size
            strh.write(le32(value));
        }
        strh.write(le16(0));
        strh.write(le16(0));
        strh.write(le16(WIDTH));
        strh.write(le16(HEIGHT));
        java.io.ByteArrayOutputStream strf = new java.io.ByteArrayOutputStream();
        strf.write(le32(40));
        strf.write(le32(WIDTH));
        strf.write(le32(HEIGHT));
        strf.write(le16(1));
        strf.write(le16(24));
        strf.write(fourcc("MJPG"));
        strf.write(le32(WIDTH * HEIGHT * 3));
        for (int i = 0; i < 4; i++) {
            strf.write(le32(0));
        }
        byte[] strl = list("strl", chunk("strh", strh.toByteArray()), chunk("strf", strf.toByteArray()));
        byte[] hdrl = list("hdrl", chunk("avih", avih.toByteArray()), strl);
        byte[] moviList = list("movi", movi.toByteArray());
        byte[] idx1 = chunk("idx1", index.toByteArray());
        Files.createDirectories(target.getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target))) {
            out.write(fourcc("RIFF"));
            out.write(le32(4 + hdrl.length + moviList.length + idx1.length));
            out.write(fourcc("AVI "));
            out.write(hdrl);
            out.write(moviList);
            out.write(idx1);
        }
        return target;
    }

    private static byte[] list(String type, byte[]... parts) throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(fourcc(type));
        for (byte[] part : parts) {
            body.write(part);
        }
        return chunk("LIST", body.toByteArray());
    }

    private static byte[] chunk(String id, byte[] data) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(fourcc(id));
        out.write(le32(data.length));
        out.write(data);
        if (data.length % 2 == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] fourcc(String code) {
        return code.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] le32(int value) {
        return new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)};
    }

    private static byte[] le16(int value) {
        return new byte[] {(byte) value, (byte) (value >> 8)};
    }

    /** The same scene as one PNG photo, for the upload fallback. */
    static Path writeStill(String faceResource, int faceSize, Path target) throws IOException {
        BufferedImage face;
        try (InputStream in = FakeCameraVideo.class.getResourceAsStream(faceResource)) {
            face = ImageIO.read(in);
        }
        Files.createDirectories(target.getParent());
        ImageIO.write(compose(face, faceSize, 0, 0), "png", target.toFile());
        return target;
    }

    private static BufferedImage compose(BufferedImage face, int faceSize, int dx, int dy) {
        BufferedImage frame = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(182, 190, 200), WIDTH, HEIGHT, new Color(120, 128, 140)));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        int x = (WIDTH - faceSize) / 2 + dx;
        int y = (HEIGHT - faceSize) / 2 + dy;
        g.drawImage(face, x, y, faceSize, faceSize, null);
        g.dispose();
        return frame;
    }

    /** BT.601 studio-range Y'CbCr, chroma averaged over 2x2 blocks. */
    private static void writeFrame(OutputStream out, BufferedImage rgb) throws IOException {
        byte[] y = new byte[WIDTH * HEIGHT];
        byte[] u = new byte[WIDTH * HEIGHT / 4];
        byte[] v = new byte[WIDTH * HEIGHT / 4];
        double[] cb = new double[WIDTH * HEIGHT];
        double[] cr = new double[WIDTH * HEIGHT];
        for (int row = 0; row < HEIGHT; row++) {
            for (int col = 0; col < WIDTH; col++) {
                int p = rgb.getRGB(col, row);
                int r = (p >> 16) & 0xff;
                int gr = (p >> 8) & 0xff;
                int b = p & 0xff;
                int i = row * WIDTH + col;
                y[i] = (byte) clamp(16 + 65.481 * r / 255 + 128.553 * gr / 255 + 24.966 * b / 255);
                cb[i] = 128 - 37.797 * r / 255 - 74.203 * gr / 255 + 112.0 * b / 255;
                cr[i] = 128 + 112.0 * r / 255 - 93.786 * gr / 255 - 18.214 * b / 255;
            }
        }
        for (int row = 0; row < HEIGHT / 2; row++) {
            for (int col = 0; col < WIDTH / 2; col++) {
                int a = 2 * row * WIDTH + 2 * col;
                int c = row * (WIDTH / 2) + col;
                u[c] = (byte) clamp((cb[a] + cb[a + 1] + cb[a + WIDTH] + cb[a + WIDTH + 1]) / 4);
                v[c] = (byte) clamp((cr[a] + cr[a + 1] + cr[a + WIDTH] + cr[a + WIDTH + 1]) / 4);
            }
        }
        out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
        out.write(y);
        out.write(u);
        out.write(v);
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }
}
