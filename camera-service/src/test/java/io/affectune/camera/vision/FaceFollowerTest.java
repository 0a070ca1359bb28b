package io.affectune.camera.vision;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.emotion.ModelFraming;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Following a stream's faces between detections, on real faces in JPEG frames with the service's detector and
 * framing and the default settings (detect every 5 frames, lost beyond a mean difference of 12 grey levels): a face
 * that sits still, moving a pixel or two, is followed until the next scheduled detection; a face that moved away,
 * or was replaced by another face, is lost at once, and so is every face when the frame size changes.
 */
class FaceFollowerTest {

    private static final CropSettings FRAMING =
            ModelFraming.load(null, "effnetb3-fer2013").crop();
    private static YuNetFaceDetector yunet;

    @BeforeAll
    static void detector() throws Exception {
        try (InputStream in =
                FaceFollowerTest.class.getResourceAsStream("/face-detection/face_detection_yunet_2023mar.onnx")) {
            yunet = new YuNetFaceDetector(in.readAllBytes(), 0.7f, 32, 8, 320, 640);
        }
    }

    /** A 640x480 JPEG frame (quality 90, decoded again) with the face at (x, y), 200 px wide. */
    private static Mat frame(TestFaces.Face face, int x, int y) {
        Mat composed = TestFrames.compose(face.pixels(), 640, 480, 200, x, y, 1);
        MatOfByte jpeg = new MatOfByte(TestFaces.jpeg(composed, 90));
        composed.release();
        try {
            return Imgcodecs.imdecode(jpeg, Imgcodecs.IMREAD_COLOR);
        } finally {
            jpeg.release();
        }
    }

    private static List<byte[]> crops(Mat frame, List<DetectedFace> faces) {
        List<byte[]> out = new ArrayList<>();
        for (DetectedFace face : faces) {
            Mat crop = FaceCropper.crop(frame, face, FRAMING);
            byte[] pixels = new byte[(int) crop.total()];
            crop.get(0, 0, pixels);
            crop.release();
            out.add(pixels);
        }
        return out;
    }

    /** Detects the first frame and records it; returns the detected faces. */
    private static List<DetectedFace> start(FaceFollower follower, Mat frame) {
        List<DetectedFace> faces = yunet.detect(frame);
        assertThat(faces).hasSize(1);
        follower.detected(faces, crops(frame, faces), frame.cols(), frame.rows(), true);
        return faces;
    }

    /** Whether the frame could follow the recorded faces (and counts it as followed when it could). */
    private static boolean follows(FaceFollower follower, Mat frame) {
        Optional<List<DetectedFace>> previous = follower.followable(frame.cols(), frame.rows());
        return previous.isPresent() && follower.stillThere(previous.get(), crops(frame, previous.get()));
    }

    @Test
    void aFaceSittingStillIsFollowedUntilTheNextScheduledDetection() {
        int followed = 0;
        for (TestFaces.Face face : TestFaces.all().subList(0, 12)) {
            FaceFollower follower = new FaceFollower(5, 12);
            Mat first = frame(face, 220, 140);
            start(follower, first);
            first.release();
            int[][] jitter = {{1, 0}, {2, 1}, {1, 2}, {0, 1}};
            for (int[] d : jitter) {
                Mat next = frame(face, 220 + d[0], 140 + d[1]);
                if (follows(follower, next)) {
                    followed++;
                }
                next.release();
            }
            Mat fifth = frame(face, 220, 140);
            assertThat(follower.followable(640, 480))
                    .as("the 5th frame after a detection is detected again")
                    .isEmpty();
            fifth.release();
        }
        assertThat(followed)
                .as("frames followed of 48 (12 faces x 4 frames moved by 1-2 px)")
                .isGreaterThanOrEqualTo(44);
    }

    @Test
    void aFaceThatMovedAwayOrWasReplacedIsLostAtOnce() {
        List<TestFaces.Face> faces = TestFaces.all();
        for (int i = 0; i < 12; i++) {
            TestFaces.Face face = faces.get(i);
            FaceFollower moved = new FaceFollower(5, 12);
            Mat first = frame(face, 220, 140);
            start(moved, first);
            Mat away = frame(face, 300, 180);
            assertThat(follows(moved, away)).as("face %d moved by 80 px", i).isFalse();
            assertThat(moved.followable(640, 480))
                    .as("a lost face is not followed again")
                    .isEmpty();
            away.release();

            FaceFollower replaced = new FaceFollower(5, 12);
            start(replaced, first);
            Mat other = frame(faces.get((i + 21) % faces.size()), 220, 140);
            assertThat(follows(replaced, other))
                    .as("face %d replaced by another one", i)
                    .isFalse();
            other.release();

            FaceFollower resized = new FaceFollower(5, 12);
            start(resized, first);
            assertThat(resized.followable(1280, 720)).isEmpty();
            first.release();
        }
    }

    /**
     * An empty scene is detected on every frame, but the costly retry pass runs on every 5th only; a small face (one
     * only the retry finds) entering it is found within 5 frames, and once faces are found the retry is due again.
     */
    @Test
    void anEmptySceneRunsTheRetryPassEveryFifthFrameAndStillFindsASmallFaceEntering() {
        FaceFollower follower = new FaceFollower(5, 12);
        Mat empty = TestFrames.background(640, 480, 5);
        // 64 px: the 320 px pass misses this face, the 640 px retry finds it (DetectionAndCropTest)
        Mat small = TestFrames.compose(TestFaces.withLabel("happy").get(1).pixels(), 640, 480, 64, 300, 200, 3);
        try {
            List<Boolean> retries = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                boolean retry = follower.retryDue();
                retries.add(retry);
                List<DetectedFace> none = yunet.detect(empty, retry);
                assertThat(none).isEmpty();
                follower.detected(none, List.of(), empty.cols(), empty.rows(), retry);
            }
            assertThat(retries).containsExactly(true, false, false, false, false, true, false, false, false, false);

            int framesUntilFound = 0;
            List<DetectedFace> found = List.of();
            while (found.isEmpty() && framesUntilFound < 10) {
                boolean retry = follower.retryDue();
                found = yunet.detect(small, retry);
                follower.detected(found, crops(small, found), small.cols(), small.rows(), retry);
                framesUntilFound++;
            }
            assertThat(found).hasSize(1);
            assertThat(framesUntilFound).isLessThanOrEqualTo(5);
            assertThat(follower.retryDue())
                    .as("faces present: the next detection may retry")
                    .isTrue();
        } finally {
            empty.release();
            small.release();
        }
    }
}
