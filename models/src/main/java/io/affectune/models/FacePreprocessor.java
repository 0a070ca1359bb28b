package io.affectune.models;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.util.List;

/**
 * Turns a decoded face image into the model's input tensor exactly as the manifest describes, so
 * that the Java services and the Python evaluation feed the network the same numbers:
 * <ol>
 *   <li>grayscale by ITU-R BT.601 luma, round(0.299 R + 0.587 G + 0.114 B) (Java's TYPE_BYTE_GRAY
 *       conversion goes through a linear colour space and gives other values);</li>
 *   <li>if the face is not sourceSize x sourceSize, area-resize it to that size (pixel-area averaging
 *       as OpenCV INTER_AREA when shrinking, rounded to uint8 as the training faces were);</li>
 *   <li>optional histogram equalisation (OpenCV equalizeHist) on that uint8 image;</li>
 *   <li>bilinear resize with half-pixel centres to height x width, as PyTorch
 *       F.interpolate(mode="bilinear", align_corners=False, antialias=False) and OpenCV INTER_LINEAR;</li>
 *   <li>x = (p * scale - mean[c]) / std[c], gray replicated into every channel.</li>
 * </ol>
 * Pure Java, no OpenCV: identical on every platform. Instances are immutable and thread-safe.
 */
public final class FacePreprocessor {

    private final int channels;
    private final int height;
    private final int width;
    private final int sourceSize;
    private final boolean equalize;
    private final float[] multiplier;
    private final float[] offset;

    public FacePreprocessor(ModelManifest.Input input) {
        this.channels = input.channels();
        this.height = input.height();
        this.width = input.width();
        this.sourceSize = input.sourceSize() == null ? 0 : input.sourceSize();
        this.equalize = input.histogramEqualization();
        this.multiplier = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            double mean = pick(input.mean(), c);
            double std = pick(input.std(), c);
            // (p*scale - mean)/std computed in double then rounded once to float, as numpy/torch float32 would
            multiplier[c] = (float) (input.scale() / std);
            offset[c] = (float) (mean / std);
        }
    }

    public FacePreprocessor(ModelManifest manifest) {
        this(manifest.input());
    }

    /** Number of floats in one image's tensor (channels x height x width). */
    public int tensorSize() {
        return channels * height * width;
    }

    public long[] shape(int batch) {
        return new long[] {batch, channels, height, width};
    }

    /** Preprocesses a decoded image of any type (RGB, ARGB, gray, indexed). */
    public float[] preprocess(BufferedImage image) {
        return preprocessGray(toGray(image), image.getWidth(), image.getHeight());
    }

    /** Preprocesses an 8-bit grayscale image given row-major, {@code w x h} bytes. */
    public float[] preprocessGray(byte[] gray, int w, int h) {
        if (w <= 0 || h <= 0 || gray.length < w * h) {
            throw new IllegalArgumentException("gray image must be at least 1x1 and hold w*h bytes");
        }
        byte[] source = gray;
        int sw = w;
        int sh = h;
        if (sourceSize > 0 && (w != sourceSize || h != sourceSize)) {
            source = areaResize(gray, w, h, sourceSize, sourceSize);
            sw = sourceSize;
            sh = sourceSize;
        }
        if (equalize) {
            source = equalizeHistogram(source, sw * sh);
        }
        float[] resized = bilinear(toFloat(source, sw * sh), sw, sh, width, height);
        float[] tensor = new float[tensorSize()];
        int plane = width * height;
        for (int c = 0; c < channels; c++) {
            float m = multiplier[c];
            float o = offset[c];
            int base = c * plane;
            for (int i = 0; i < plane; i++) {
                tensor[base + i] = resized[i] * m - o;
            }
        }
        return tensor;
    }

    /** Mirrors one preprocessed tensor left-right (for flip test-time augmentation). */
    public float[] flipHorizontally(float[] tensor) {
        float[] flipped = new float[tensor.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = (c * height + y) * width;
                for (int x = 0; x < width; x++) {
                    flipped[row + x] = tensor[row + width - 1 - x];
                }
            }
        }
        return flipped;
    }

    /** BT.601 luma of every pixel, rounded to 0..255. */
    public static byte[] toGray(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] gray = new byte[w * h];
        ColorModel colorModel = image.getColorModel();
        Raster raster = image.getRaster();
        if (colorModel instanceof ComponentColorModel
                && colorModel.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && raster.getNumBands() <= 2) {
            // Gray PNG/JPEG: the stored sample is already the luma; getRGB would convert it through
            // a linear-gray colour space and change it.
            int bits = colorModel.getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? row[x] : (int) Math.round(row[x] * 255.0 / ((1 << bits) - 1));
                    gray[y * w + x] = (byte) v;
                }
            }
            return gray;
        }
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                gray[y * w + x] = (byte) luma((p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF);
            }
        }
        return gray;
    }

    /** round(0.299 R + 0.587 G + 0.114 B), the BT.601 rule of the manifest. */
    public static int luma(int r, int g, int b) {
        return (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }

    /**
     * Area resize (each output pixel is the mean of the input area it covers, with fractional edge
     * weights), rounded to uint8. When enlarging, area averaging degenerates; then bilinear with
     * half-pixel centres is used, rounded.
     */
    public static byte[] areaResize(byte[] src, int sw, int sh, int dw, int dh) {
        if (dw > sw || dh > sh) {
            float[] up = bilinear(toFloat(src, sw * sh), sw, sh, dw, dh);
            byte[] out = new byte[dw * dh];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) Math.max(0, Math.min(255, Math.round(up[i])));
            }
            return out;
        }
        double[][] xWeights = areaWeights(sw, dw);
        int[] xStart = areaStarts(sw, dw);
        double[][] yWeights = areaWeights(sh, dh);
        int[] yStart = areaStarts(sh, dh);
        byte[] out = new byte[dw * dh];
        double[] rowSums = new double[sw];
        for (int dy = 0; dy < dh; dy++) {
            java.util.Arrays.fill(rowSums, 0);
            double[] wy = yWeights[dy];
            for (int k = 0; k < wy.length; k++) {
                int sy = yStart[dy] + k;
                double weight = wy[k];
                int rowBase = sy * sw;
                for (int sx = 0; sx < sw; sx++) {
                    rowSums[sx] += weight * (src[rowBase + sx] & 0xFF);
                }
            }
            for (int dx = 0; dx < dw; dx++) {
                double[] wx = xWeights[dx];
                double sum = 0;
                for (int k = 0; k < wx.length; k++) {
                    sum += wx[k] * rowSums[xStart[dx] + k];
                }
                long v = Math.round(sum);
                out[dy * dw + dx] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return out;
    }

    private static int[] areaStarts(int srcSize, int dstSize) {
        double scale = (double) srcSize / dstSize;
        int[] starts = new int[dstSize];
        for (int d = 0; d < dstSize; d++) {
            starts[d] = (int) Math.floor(d * scale + 1e-9);
        }
        return starts;
    }

    /** Normalised coverage weights of the source pixels under each destination pixel. */
    private static double[][] areaWeights(int srcSize, int dstSize) {
        double scale = (double) srcSize / dstSize;
        double[][] weights = new double[dstSize][];
        for (int d = 0; d < dstSize; d++) {
            double from = d * scale;
            double to = Math.min(srcSize, (d + 1) * scale);
            int first = (int) Math.floor(from + 1e-9);
            int last = (int) Math.ceil(to - 1e-9) - 1;
            double[] w = new double[last - first + 1];
            for (int s = first; s <= last; s++) {
                double overlap = Math.min(to, s + 1) - Math.max(from, s);
                w[s - first] = Math.max(0, overlap) / scale;
            }
            weights[d] = w;
        }
        return weights;
    }

    /**
     * Bilinear resize with half-pixel centres: source coordinate (d + 0.5) * in/out - 0.5, clamped
     * at 0, neighbour clamped at the edge; exactly PyTorch's align_corners=False without antialias.
     */
    public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
        if (sw == dw && sh == dh) {
            return src.clone();
        }
        int[] x0 = new int[dw];
        int[] x1 = new int[dw];
        float[] lx = new float[dw];
        fillCoordinates(sw, dw, x0, x1, lx);
        int[] y0 = new int[dh];
        int[] y1 = new int[dh];
        float[] ly = new float[dh];
        fillCoordinates(sh, dh, y0, y1, ly);
        float[] out = new float[dw * dh];
        for (int y = 0; y < dh; y++) {
            int r0 = y0[y] * sw;
            int r1 = y1[y] * sw;
            float wy1 = ly[y];
            float wy0 = 1f - wy1;
            for (int x = 0; x < dw; x++) {
                float wx1 = lx[x];
                float wx0 = 1f - wx1;
                out[y * dw + x] = wy0 * (wx0 * src[r0 + x0[x]] + wx1 * src[r0 + x1[x]])
                        + wy1 * (wx0 * src[r1 + x0[x]] + wx1 * src[r1 + x1[x]]);
            }
        }
        return out;
    }

    private static void fillCoordinates(int in, int out, int[] i0, int[] i1, float[] lambda) {
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            float source = Math.max(0f, (d + 0.5f) * scale - 0.5f);
            int lower = Math.min((int) source, in - 1);
            i0[d] = lower;
            i1[d] = Math.min(lower + 1, in - 1);
            lambda[d] = source - lower;
        }
    }

    /** OpenCV equalizeHist: lut[v] = round((cdf(v) - cdf_min) * 255 / (n - cdf_min)). */
    public static byte[] equalizeHistogram(byte[] src, int n) {
        int[] histogram = new int[256];
        for (int i = 0; i < n; i++) {
            histogram[src[i] & 0xFF]++;
        }
        int first = 0;
        while (first < 255 && histogram[first] == 0) {
            first++;
        }
        byte[] out = new byte[n];
        if (histogram[first] == n) {
            java.util.Arrays.fill(out, (byte) first);
            return out;
        }
        float scale = 255f / (n - histogram[first]);
        int[] lut = new int[256];
        int sum = 0;
        for (int v = first + 1; v < 256; v++) {
            sum += histogram[v];
            lut[v] = Math.max(0, Math.min(255, Math.round(sum * scale)));
        }
        for (int i = 0; i < n; i++) {
            out[i] = (byte) lut[src[i] & 0xFF];
        }
        return out;
    }

    private static float[] toFloat(byte[] src, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = src[i] & 0xFF;
        }
        return out;
    }

    private static double pick(List<Double> values, int channel) {
        return values.size() == 1 ? values.get(0) : values.get(channel);
    }
}
