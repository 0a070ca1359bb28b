package io.affectune.camera.analysis;

import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.emotion.ModelFraming;
import io.affectune.camera.vision.FaceDetector;
import io.affectune.camera.vision.HaarFaceDetector;
import io.affectune.camera.vision.ImageDecoder;
import io.affectune.camera.vision.YuNetFaceDetector;
import io.affectune.support.image.ImageAdmission;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The vision parts of the pipeline: face detector, image decoder and the model framing the faces are cut for. */
@Configuration(proxyBeanMethods = false)
public class VisionConfig {

    private static final Logger log = LoggerFactory.getLogger(VisionConfig.class);
    static final String YUNET_FILE = "face_detection_yunet_2023mar.onnx";

    @Bean
    FaceDetector faceDetector(CameraProperties properties) {
        CameraProperties.Detection d = properties.detection();
        if (d.detector() == CameraProperties.DetectorKind.HAAR) {
            log.info("Face detector: Haar cascade (fallback)");
            return new HaarFaceDetector(d.minFaceSize(), d.maxFaces(), d.detectMaxSide());
        }
        return new YuNetFaceDetector(
                yunetModel(properties.modelsDir()),
                d.scoreThreshold(),
                d.minFaceSize(),
                d.maxFaces(),
                d.detectMaxSide(),
                d.retryMaxSide());
    }

    /** MODELS_DIR/face-detection/ when present, else the copy packed into the jar. */
    static byte[] yunetModel(String modelsDir) {
        try {
            Optional<Path> file = ModelFraming.locateModelsDir(modelsDir)
                    .map(dir -> dir.resolve("face-detection").resolve(YUNET_FILE))
                    .filter(Files::isRegularFile);
            if (file.isPresent()) {
                log.info("Face detector: YuNet from {}", file.get());
                return Files.readAllBytes(file.get());
            }
            try (InputStream in = VisionConfig.class.getResourceAsStream("/face-detection/" + YUNET_FILE)) {
                if (in == null) {
                    throw new IllegalStateException(
                            YUNET_FILE + " is neither in MODELS_DIR/face-detection nor in the jar");
                }
                log.info("Face detector: YuNet from the jar");
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Bean
    ImageDecoder imageDecoder(CameraProperties properties) {
        CameraProperties.Limits l = properties.limits();
        // JPEG frames are decoded first at the detector's input size (FACE_DETECT_MAX_SIDE)
        return new ImageDecoder(
                new ImageAdmission(l.maxImagePixels(), l.progressiveWeight(), "MAX_IMAGE_PIXELS"),
                l.maxFrameWidth(),
                l.maxFrameHeight(),
                properties.detection().detectMaxSide());
    }

    /**
     * The model faces are cut for, from its manifest (a missing or incomplete one stops the start). DEFAULT_MODEL
     * alone names it; the former EMOTION_MODEL, when still set to another model, is refused rather than ignored.
     */
    @Bean
    ModelFraming modelFraming(CameraProperties properties, Environment environment) {
        String former = environment.getProperty("EMOTION_MODEL");
        if (former != null && !former.isBlank() && !former.equals(properties.modelId())) {
            throw new IllegalStateException("EMOTION_MODEL=" + former + " is no longer read: DEFAULT_MODEL ("
                    + properties.modelId() + ") alone names the model, for emotion-service and camera-service alike; "
                    + "unset EMOTION_MODEL or set DEFAULT_MODEL=" + former);
        }
        return ModelFraming.load(properties.modelsDir(), properties.modelId());
    }
}
