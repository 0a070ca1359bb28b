import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Test images for reliability/suite.py (Python has no image library here), run as a single-file program:
 *
 *   java reliability/MakeImages.java <out-dir> <face.png>
 *
 * face-640x480.jpg   the 48x48 face scaled to 192 px on a grey 640x480 frame (YuNet finds it: camera-service
 *                    calls emotion-service for it)
 * face-64.jpg        the face as a 64x64 baseline JPEG (a normal emotion-service request)
 * progressive-4000.jpg  a 4000x4000 progressive JPEG (counts 4 x 16 M pixels against the decode budget)
 * baseline-4000.jpg  a 4000x4000 baseline JPEG (16 M pixels: within the budget, must not take the service down)
 */
public class MakeImages {

    public static void main(String[] args) throws Exception {
        File out = new File(args[0]);
        out.mkdirs();
        BufferedImage face = ImageIO.read(new File(args[1]));

        BufferedImage frame = new BufferedImage(640, 480, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = frame.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, 640, 480);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(face, (640 - 192) / 2, (480 - 192) / 2, 192, 192, null);
        g.dispose();
        write(frame, new File(out, "face-640x480.jpg"), false);

        BufferedImage small = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
        g = small.createGraphics();
        g.drawImage(face, 0, 0, 64, 64, null);
        g.dispose();
        write(small, new File(out, "face-64.jpg"), false);

        BufferedImage big = new BufferedImage(4000, 4000, BufferedImage.TYPE_BYTE_GRAY);
        g = big.createGraphics();
        g.setColor(new Color(90, 90, 90));
        g.fillRect(0, 0, 4000, 4000);
        g.drawImage(face, 1000, 1000, 2000, 2000, null);
        g.dispose();
        write(big, new File(out, "progressive-4000.jpg"), true);
        write(big, new File(out, "baseline-4000.jpg"), false);
    }

    private static void write(BufferedImage image, File file, boolean progressive) throws Exception {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.7f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        file.delete();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(file)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
