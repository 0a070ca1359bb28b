package io.affectune.camera.vision;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.emotion.ModelFraming;
import io.affectune.support.image.ImageAdmission;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * A 640x480 camera JPEG is decoded at 320x240 for the detector and for the crops of faces large enough, and the
 * full resolution only when a step needs it; faces and crops come out as a full decode gives them.
 */
class ReducedDecodeTest {

    private static final CropSettings FRAMING =
            ModelFraming.load(null, "effnetb3-fer2013-int8").crop();

    private static YuNetFaceDetector yunet;
    private static final ImageDecoder DECODER =
            new ImageDecoder(new ImageAdmission(16_777_216, 4, "MAX_IMAGE_PIXELS"), 1920, 1080, 320);

    @BeforeAll
    static void detector() throws Exception {
        try (InputStream in =
                ReducedDecodeTest.class.getResourceAsStream("/face-detection/face_detection_yunet_2023mar.onnx")) {
            yunet = new YuNetFaceDetector(in.readAllBytes(), 0.7f, 32, 8, 320, 640);
        }
    }

    @Test
    void aCameraFrameWithAFaceIsDetectedAndCroppedWithoutTheFullDecode() {
        int checked = 0;
        for (TestFaces.Face face : TestFaces.all().subList(0, 12)) {
            int side = 140 + 10 * checked;
            Mat composed =
                    TestFrames.compose(face.pixels(), 640, 480, side, 60 + 17 * checked, 40 + 9 * checked, checked);
            byte[] jpeg = encodeAndRelease(composed, 90);
            Mat fullMat = imdecodeFull(jpeg);
            try (Frame frame = DECODER.decode(jpeg);
                    Frame full = Frame.of(fullMat)) {
                assertThat(frame.width()).isEqualTo(640);
                assertThat(frame.height()).isEqualTo(480);
                assertThat(frame.downscaled()).isFalse();

                List<DetectedFace> faces = yunet.detect(frame, true);
                List<DetectedFace> reference = yunet.detect(full, true);
                assertThat(faces).as(face.name()).hasSize(1);
                assertThat(reference).hasSize(1);
                DetectedFace found = faces.get(0);
                DetectedFace expected = reference.get(0);
                // the detector saw 320x240 either way: libjpeg's scaled decode instead of an area resize
                assertThat(Math.abs(found.centerX() - expected.centerX())).isLessThan(side * 0.03);
                assertThat(Math.abs(found.centerY() - expected.centerY())).isLessThan(side * 0.03);
                assertThat(Math.abs(found.width() - expected.width())).isLessThan(side * 0.05);

                Frame.View view = frame.view(FaceCropper.maxReduction(faces, FRAMING));
                assertThat(view.reduction()).isEqualTo(2.0);
                assertThat(frame.fullDecoded())
                        .as("nothing needed the full resolution")
                        .isFalse();
                double difference = cropDifference(view, full.full(), expected);
                assertThat(difference)
                        .as("mean grey difference of the crop of %s", face.name())
                        .isLessThan(3.0);
            } finally {
                fullMat.release();
            }
            checked++;
        }
    }

    @Test
    void aSmallFaceIsCroppedFromTheFullResolution() {
        Mat composed = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 72, 300, 200, 7);
        byte[] jpeg = encodeAndRelease(composed, 90);
        try (Frame frame = DECODER.decode(jpeg)) {
            List<DetectedFace> faces = yunet.detect(frame, true);
            assertThat(faces).hasSize(1);
            assertThat(FaceCropper.maxReduction(faces, FRAMING)).isLessThan(2.0);
            Frame.View view = frame.view(FaceCropper.maxReduction(faces, FRAMING));
            assertThat(view.reduction()).isEqualTo(1.0);
            assertThat(view.bgr().cols()).isEqualTo(640);
            assertThat(frame.fullDecoded()).isTrue();
        }
    }

    @Test
    void aFrameWithoutAFaceIsRetriedAtFullResolution() {
        Mat empty = TestFrames.background(640, 480, 5);
        byte[] jpeg = encodeAndRelease(empty, 90);
        try (Frame frame = DECODER.decode(jpeg)) {
            assertThat(yunet.detect(frame, false)).isEmpty();
            assertThat(frame.fullDecoded()).as("no retry asked for").isFalse();
            assertThat(yunet.detect(frame, true)).isEmpty();
            assertThat(frame.fullDecoded()).as("the retry runs at 640 px").isTrue();
        }
    }

    @Test
    void pngAndSmallFramesHaveOneResolution() {
        Mat composed = TestFrames.compose(TestFaces.withLabel("sad").get(0).pixels(), 640, 480, 160, 200, 100, 3);
        byte[] png = encodeAndRelease(composed, -1);
        try (Frame frame = DECODER.decode(png)) {
            assertThat(frame.fullDecoded()).isTrue();
            assertThat(frame.view(8).reduction()).isEqualTo(1.0);
        }
        Mat small = TestFrames.background(480, 360, 2);
        byte[] jpeg = encodeAndRelease(small, 90);
        try (Frame frame = DECODER.decode(jpeg)) {
            assertThat(frame.fullDecoded())
                    .as("480 px at half scale would be under 320")
                    .isTrue();
        }
    }

    @Test
    void aFrameOverTheLimitIsReducedToFitAsBefore() {
        Mat big = TestFrames.background(2560, 1440, 4);
        byte[] jpeg = encodeAndRelease(big, 80);
        try (Frame frame = DECODER.decode(jpeg)) {
            assertThat(frame.downscaled()).isTrue();
            assertThat(frame.width()).isLessThanOrEqualTo(1920);
            assertThat(frame.height()).isLessThanOrEqualTo(1080);
            assertThat(frame.originalWidth()).isEqualTo(2560);
        }
    }

    /** The frame as a JPEG of that quality (a PNG for -1); the frame is released. */
    private static byte[] encodeAndRelease(Mat frame, int jpegQuality) {
        try {
            return jpegQuality < 0 ? TestFaces.png(frame) : TestFaces.jpeg(frame, jpegQuality);
        } finally {
            frame.release();
        }
    }

    private static Mat imdecodeFull(byte[] jpeg) {
        MatOfByte buffer = new MatOfByte(jpeg);
        try {
            return Imgcodecs.imdecode(buffer, Imgcodecs.IMREAD_COLOR);
        } finally {
            buffer.release();
        }
    }

    /** Mean absolute grey difference between the face's crop cut from {@code view} and from the full frame. */
    private static double cropDifference(Frame.View view, Mat full, DetectedFace face) {
        Mat greyView = new Mat();
        Mat greyFull = new Mat();
        Imgproc.cvtColor(view.bgr(), greyView, Imgproc.COLOR_BGR2GRAY);
        Imgproc.cvtColor(full, greyFull, Imgproc.COLOR_BGR2GRAY);
        Mat a = FaceCropper.crop(greyView, view.fromFrame(face), FRAMING);
        Mat b = FaceCropper.crop(greyFull, face, FRAMING);
        Mat diff = new Mat();
        try {
            Core.absdiff(a, b, diff);
            return Core.mean(diff).val[0];
        } finally {
            greyView.release();
            greyFull.release();
            a.release();
            b.release();
            diff.release();
        }
    }
}
