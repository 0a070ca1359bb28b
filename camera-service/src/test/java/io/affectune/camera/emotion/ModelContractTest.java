package io.affectune.camera.emotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affectune.camera.CameraApplication;
import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.camera.config.CameraProperties;
import io.affectune.models.InvalidModelException;
import io.affectune.support.client.HttpClients;
import io.affectune.testsupport.ServiceProcess;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * One model contract between camera-service and emotion-service, with the real manifest and a real
 * emotion-service (from its jar, on the repository's model): camera-service frames faces with the crop block of
 * the manifest it read through the runtime model library, and names that model's id and version in every batch
 * call. Here camera-service reads a manifest of another version than the one emotion-service serves: emotion-service
 * refuses the call (409, naming both versions) and camera-service marks the frame degraded instead of showing an
 * emotion from a model its faces were not framed for.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "resilience4j.timelimiter.instances.emotion-service.timeout-duration=30s",
            "camera.playlist.url=http://127.0.0.1:9"
        })
class ModelContractTest {

    // the served default (DEFAULT_MODEL), the int8 copy of the float network
    private static final String MODEL = "effnetb3-fer2013-int8";
    private static final String OTHER_VERSION = "0.0.0-not-served";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServiceProcess emotion;
    private static Path otherVersionModels;

    @Autowired
    WebTestClient http;

    @Autowired
    EmotionClient client;

    @Autowired
    ModelFraming framing;

    @Autowired
    CameraProperties properties;

    @Autowired
    HttpClients clients;

    @Autowired
    CircuitBreakerRegistry breakers;

    @Autowired
    TimeLimiterRegistry timeLimiters;

    static Path repositoryModels() {
        return ServiceProcess.repositoryRoot().resolve("models");
    }

    @BeforeAll
    static void startEmotionService() throws IOException {
        otherVersionModels = Files.createTempDirectory("camera-models-");
        Path dir = Files.createDirectories(otherVersionModels.resolve(MODEL));
        ObjectNode manifest = (ObjectNode) JSON.readTree(
                repositoryModels().resolve(MODEL).resolve("model.json").toFile());
        manifest.put("version", OTHER_VERSION);
        JSON.writeValue(dir.resolve("model.json").toFile(), manifest);
        emotion = ServiceProcess.start(
                "emotion-service", Map.of("MODELS_DIR", repositoryModels().toString(), "DEFAULT_MODEL", MODEL));
    }

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("camera.emotion.url", () -> emotion.baseUrl());
        registry.add("camera.models-dir", () -> otherVersionModels.toString());
    }

    @AfterAll
    static void stop() {
        if (emotion != null) {
            emotion.close();
        }
    }

    @Test
    void theFramingIsTheManifestsWholeCropBlock() throws IOException {
        ModelFraming served = ModelFraming.load(repositoryModels().toString(), MODEL);
        JsonNode manifest = JSON.readTree(
                repositoryModels().resolve(MODEL).resolve("model.json").toFile());
        JsonNode crop = manifest.path("crop");
        assertThat(served.modelId()).isEqualTo(MODEL);
        assertThat(served.version()).isEqualTo(manifest.path("version").asText());
        assertThat(served.calibrated()).isEqualTo(crop.path("calibrated").asBoolean());
        assertThat(served.crop().boxScale()).isEqualTo(crop.path("boxScale").asDouble());
        assertThat(served.crop().centerShiftX())
                .isEqualTo(crop.path("centerShiftX").asDouble());
        assertThat(served.crop().centerShiftY())
                .isEqualTo(crop.path("centerShiftY").asDouble());
        assertThat(served.crop().alignEyes()).isEqualTo(crop.path("alignEyes").asBoolean());
        assertThat(served.crop().outputSize())
                .isEqualTo(manifest.path("input").path("sourceSize").asInt());
        // and the running service uses the manifest of its MODELS_DIR
        assertThat(framing.version()).isEqualTo(OTHER_VERSION);
        assertThat(framing.crop()).isEqualTo(served.crop());
    }

    @Test
    void aMissingOrIncompleteManifestIsAnErrorThatSaysWhatToFix() throws IOException {
        Path empty = Files.createTempDirectory("no-models-");
        Files.createDirectories(empty.resolve("other-model"));
        assertThatThrownBy(() -> ModelFraming.load(empty.toString(), MODEL))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("'" + MODEL + "' (DEFAULT_MODEL)")
                .hasMessageContaining("no model.json");

        Path incomplete = Files.createDirectories(empty.resolve(MODEL));
        ObjectNode manifest = (ObjectNode) JSON.readTree(
                repositoryModels().resolve(MODEL).resolve("model.json").toFile());
        ((ObjectNode) manifest.path("crop")).remove("centerShiftX");
        JSON.writeValue(incomplete.resolve("model.json").toFile(), manifest);
        assertThatThrownBy(() -> ModelFraming.load(empty.toString(), MODEL))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("\"crop.centerShiftX\"");

        // at start-up: camera-service does not start without its model's manifest
        Path none = Files.createTempDirectory("no-models-");
        assertThatThrownBy(() -> new SpringApplicationBuilder(CameraApplication.class)
                        .run("--server.port=0", "--camera.models-dir=" + none)
                        .close())
                .hasStackTraceContaining("camera-service cannot frame faces for model '" + MODEL + "' (DEFAULT_MODEL)");
        // and the former EMOTION_MODEL naming another model is refused, not ignored
        assertThatThrownBy(() -> new SpringApplicationBuilder(CameraApplication.class)
                        .run("--server.port=0", "--EMOTION_MODEL=another-model")
                        .close())
                .hasStackTraceContaining("EMOTION_MODEL=another-model is no longer read");
    }

    @Test
    void aVersionMismatchIsRefusedByEmotionServiceAndTheFrameIsDegraded() {
        http.post()
                .uri("/api/v1/analyze")
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(faceJpeg())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.faces.length()")
                .isEqualTo(1)
                .jsonPath("$.faces[0].emotion")
                .doesNotExist()
                .jsonPath("$.degraded")
                .isEqualTo(true);

        // what emotion-service answered camera-service's call
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        body.part("image", new ByteArrayResource(faceJpeg()) {
                    @Override
                    public String getFilename() {
                        return "face.jpg";
                    }
                })
                .contentType(MediaType.IMAGE_JPEG);
        Map<String, Object> problem = WebTestClient.bindToServer()
                .baseUrl(emotion.baseUrl())
                .build()
                .post()
                .uri("/api/v1/predictions/batch?model={m}&version={v}", MODEL, OTHER_VERSION)
                .body(BodyInserters.fromMultipartData(body.build()))
                .exchange()
                .expectStatus()
                .isEqualTo(409)
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {})
                .returnResult()
                .getResponseBody();
        String served = ModelFraming.load(repositoryModels().toString(), MODEL).version();
        assertThat((String) problem.get("detail")).contains(OTHER_VERSION, served);

        // the same call for the version emotion-service serves is answered
        EmotionClient matching = new EmotionClient(
                properties, ModelFraming.load(repositoryModels().toString(), MODEL), clients, breakers, timeLimiters);
        Optional<List<EmotionPrediction>> answer =
                matching.classify(List.of(cropPng()), false).block(Duration.ofSeconds(60));
        assertThat(answer).isPresent();
        assertThat(answer.get()).hasSize(1);
        assertThat(answer.get().get(0).emotion()).isNotBlank();
        assertThat(client.classify(List.of(cropPng()), false).block(Duration.ofSeconds(60)))
                .isEmpty();
    }

    private static byte[] faceJpeg() {
        Mat frame = TestFrames.compose(TestFaces.withLabel("happy").get(0).pixels(), 640, 480, 160, 200, 120, 1);
        try {
            return TestFaces.jpeg(frame, 90);
        } finally {
            frame.release();
        }
    }

    private static byte[] cropPng() {
        Mat face = new Mat(48, 48, CvType.CV_8UC1);
        try {
            face.put(0, 0, TestFaces.withLabel("happy").get(0).pixels());
            return TestFaces.png(face);
        } finally {
            face.release();
        }
    }
}
