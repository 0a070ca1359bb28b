package io.affectune.emotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.emotion.prediction.Prediction;
import io.affectune.models.ModelDirectory;
import io.affectune.testsupport.RawHttp;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * The HTTP API with the real float model from models/effnetb3-fer2013 and real images. The float model is the default
 * here because its answers have a Python reference (faces/reference.csv); the served default, its int8 copy, is
 * checked against it in {@link QuantizedDefaultModelTest}.
 */
@AutoConfigureObservability
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "emotion.default-model=effnetb3-fer2013",
            "emotion.max-image-size=200KB",
            "emotion.max-image-pixels=4000000",
            // these tests are about answers and batching, not shedding (DeadlineSheddingTest): no queueing deadline
            "emotion.queue-deadline=60s",
            // two inference threads whatever the machine's cores (the default is one per core)
            "emotion.inference-threads=2"
        })
class PredictionApiTest {

    private static final ParameterizedTypeReference<List<Prediction>> PREDICTION_LIST =
            new ParameterizedTypeReference<>() {};

    @Autowired
    WebTestClient client;

    @Autowired
    ModelRegistry registry;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    @BeforeAll
    static void realModelIsPresent() {
        TestFaces.requireRealModel();
    }

    @BeforeEach
    void modelLoaded() {
        client = ModelReady.patientClient(registry, client);
    }

    @Test
    void knownFacesGetThePredictionsOfThePythonEvaluation() {
        String sha = TestFaces.sha256(ModelDirectory.load(TestFaces.MODEL_DIR).onnxFile());
        List<TestFaces.Reference> references = TestFaces.reference(sha);
        List<TestFaces.Face> faces = TestFaces.faces();
        assertThat(references).hasSize(faces.size());
        int correct = 0;
        for (int i = 0; i < faces.size(); i++) {
            TestFaces.Face face = faces.get(i);
            TestFaces.Reference reference = references.get(i);
            assertThat(reference.file()).isEqualTo(face.file());
            Prediction prediction = predict(face.png(), MediaType.IMAGE_PNG);
            assertThat(prediction.emotion()).as("emotion of %s", face.file()).isEqualTo(reference.pythonEmotion());
            float[] javaProbabilities = toArray(prediction);
            for (int c = 0; c < javaProbabilities.length; c++) {
                assertThat(javaProbabilities[c])
                        .as("p[%d] of %s", c, face.file())
                        .isCloseTo(reference.probabilities()[c], within(1e-3f));
            }
            assertThat(prediction.confidence())
                    .isEqualTo(prediction.probabilities().get(prediction.emotion()));
            assertThat(prediction.model().id()).isEqualTo("effnetb3-fer2013");
            if (prediction.emotion().equals(face.label())) {
                correct++;
            }
        }
        System.out.printf(
                "known faces: %d of %d classified as labelled (same as the Python evaluation)%n",
                correct, faces.size());
    }

    @Test
    void jpegFacesAreAnsweredToo() {
        Prediction prediction = predict(TestFaces.jpeg(TestFaces.faces().get(0).png()), MediaType.IMAGE_JPEG);
        assertThat(prediction.probabilities().keySet())
                .containsExactly("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");
        double sum = prediction.probabilities().values().stream()
                .mapToDouble(Float::doubleValue)
                .sum();
        assertThat(sum).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void colourImagesOfAnotherSizeAreAccepted() {
        Prediction prediction = predict(TestFaces.rgbPng(131, 97), MediaType.IMAGE_PNG);
        assertThat(prediction.confidence()).isBetween(0f, 1f);
    }

    @Test
    void batchAnswersEqualSingleAnswersInTheSameOrder() {
        List<TestFaces.Face> faces = TestFaces.faces().subList(0, 32);
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        for (TestFaces.Face face : faces) {
            body.part("image", named(face.png(), face.file())).contentType(MediaType.IMAGE_PNG);
        }
        List<Prediction> batch = client.post()
                .uri("/api/v1/predictions/batch")
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build()))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(PREDICTION_LIST)
                .returnResult()
                .getResponseBody();
        assertThat(batch).hasSize(32);
        for (int i = 0; i < faces.size(); i++) {
            Prediction single = predict(faces.get(i).png(), MediaType.IMAGE_PNG);
            assertThat(batch.get(i).emotion()).as("face %d", i).isEqualTo(single.emotion());
            float[] a = toArray(batch.get(i));
            float[] b = toArray(single);
            for (int c = 0; c < a.length; c++) {
                assertThat(a[c]).isCloseTo(b[c], within(1e-4f));
            }
        }
    }

    @Test
    void aLoneImageAndItsMirrorRunSideBySideOnTheIdleInferenceThreads() {
        assertThat(passesPerFace()).as("the committed model asks for flip TTA").isEqualTo(2);
        DistributionSummary batchSizes = batchSizes();
        long runsBefore = batchSizes.count();
        double rowsBefore = batchSizes.totalAmount();
        client.post()
                .uri("/api/v1/predictions")
                .contentType(MediaType.IMAGE_PNG)
                .bodyValue(TestFaces.faces().get(0).png())
                .exchange()
                .expectStatus()
                .isOk();
        assertThat(batchSizes.totalAmount() - rowsBefore).isEqualTo(2.0);
        assertThat(batchSizes.count() - runsBefore)
                .as("the image and its mirror with both inference threads idle: two runs of one, not one of two")
                .isEqualTo(2L);
    }

    @Test
    void aLoneBatchRequestIsSplitAcrossTheIdleInferenceThreads() {
        int passes = passesPerFace();
        DistributionSummary batchSizes = batchSizes();
        long runsBefore = batchSizes.count();
        double rowsBefore = batchSizes.totalAmount();
        double halfBefore = runsOfAtMost(batchSizes, 4 * passes);
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        for (TestFaces.Face face : TestFaces.faces().subList(0, 8)) {
            body.part("image", named(face.png(), face.file())).contentType(MediaType.IMAGE_PNG);
        }
        client.post()
                .uri("/api/v1/predictions/batch")
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build()))
                .exchange()
                .expectStatus()
                .isOk();
        assertThat(batchSizes.totalAmount() - rowsBefore).isEqualTo(8.0 * passes);
        long runs = batchSizes.count() - runsBefore;
        // two runs of half as a rule; a third when a worker leaves a moment early (the split is by counts read racily)
        assertThat(runs)
                .as("8 images with both inference threads idle: not one run of all on one core")
                .isBetween(2L, 3L);
        assertThat(runsOfAtMost(batchSizes, 4 * passes) - halfBefore)
                .as("every run of at most half the rows")
                .isEqualTo((double) runs);
    }

    /** Rows (network passes) per face of the test model: 2 when its manifest asks for flip TTA. */
    private static int passesPerFace() {
        return ModelDirectory.load(TestFaces.MODEL_DIR).manifest().passesPerFace();
    }

    /** Rows per ONNX Runtime run of the test model (emotion-service's meter). */
    private DistributionSummary batchSizes() {
        return meters.get("emotion.inference.batch.size")
                .tag("model", "effnetb3-fer2013")
                .summary();
    }

    /** Runs so far with at most {@code size} rows (the summary's cumulative bucket of that bound). */
    private static double runsOfAtMost(DistributionSummary batchSizes, double size) {
        return Arrays.stream(batchSizes.takeSnapshot().histogramCounts())
                .filter(bucket -> bucket.bucket() == size)
                .findFirst()
                .orElseThrow()
                .count();
    }

    @Test
    void concurrentRequestsAreGatheredIntoOneRun() {
        DistributionSummary batchSizes = batchSizes();
        long runsBefore = batchSizes.count();
        double imagesBefore = batchSizes.totalAmount();
        List<TestFaces.Face> faces = TestFaces.faces();
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        List<Prediction> answers = Flux.range(0, 48)
                .flatMap(
                        i -> web.post()
                                .uri("/api/v1/predictions")
                                .contentType(MediaType.IMAGE_PNG)
                                .bodyValue(faces.get(i % faces.size()).png())
                                .retrieve()
                                .bodyToMono(Prediction.class),
                        48)
                .collectList()
                .block(Duration.ofSeconds(120));
        assertThat(answers).hasSize(48);
        long runs = batchSizes.count() - runsBefore;
        double rows = batchSizes.totalAmount() - imagesBefore;
        System.out.printf("48 concurrent requests ran in %d ONNX runs%n", runs);
        assertThat(rows).isEqualTo(48.0 * passesPerFace());
        assertThat(runs).as("ONNX runs for 48 concurrent requests").isLessThan(48);
    }

    @Test
    void modelsListShowsTheManifestAndValidationMetrics() {
        JsonNode answer = client.get()
                .uri("/api/v1/models")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
        assertThat(answer.get("defaultModel").asText()).isEqualTo("effnetb3-fer2013");
        JsonNode model = answer.get("models").get(0);
        assertThat(model.get("id").asText()).isEqualTo("effnetb3-fer2013");
        assertThat(model.get("manifest").get("input").get("height").asInt()).isPositive();
        assertThat(model.get("manifest").has("metrics"))
                .as(
                        "model.json of the real model carries validation metrics (written by models/training/export.py --data)")
                .isTrue();
        assertThat(model.get("manifest").get("metrics").get("accuracy").asDouble())
                .isPositive();
    }

    @Test
    void aModelCanBeNamedAndAnUnknownOneIsA404() {
        Prediction named = client.post()
                .uri("/api/v1/predictions?model=effnetb3-fer2013")
                .contentType(MediaType.IMAGE_PNG)
                .bodyValue(TestFaces.faces().get(3).png())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Prediction.class)
                .returnResult()
                .getResponseBody();
        assertThat(named.model().id()).isEqualTo("effnetb3-fer2013");
        expectProblem(
                client.post()
                        .uri("/api/v1/predictions?model=nope")
                        .contentType(MediaType.IMAGE_PNG)
                        .bodyValue(TestFaces.faces().get(3).png())
                        .exchange(),
                HttpStatus.NOT_FOUND,
                "No model 'nope'");
    }

    @Test
    void badImagesGetAClearProblemAndTheServiceCarriesOn() {
        byte[] png = TestFaces.faces().get(0).png();
        byte[] jpeg = TestFaces.jpeg(png);
        expectProblem(post(new byte[0], MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "empty");
        expectProblem(
                post("hello, I am text".getBytes(), MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "not a JPEG or PNG");
        expectProblem(
                post(Arrays.copyOf(png, png.length / 2), MediaType.IMAGE_PNG),
                HttpStatus.BAD_REQUEST,
                "damaged or truncated");
        expectProblem(
                post(Arrays.copyOf(jpeg, jpeg.length / 2), MediaType.IMAGE_JPEG),
                HttpStatus.BAD_REQUEST,
                "damaged or truncated");
        expectProblem(post(Arrays.copyOf(png, 20), MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "truncated");
        expectProblem(post(png, MediaType.TEXT_PLAIN), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "image/jpeg or image/png");
        expectProblem(post(TestFaces.gif(), MediaType.IMAGE_GIF), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "image/gif");
        expectProblem(post(TestFaces.gif(), MediaType.IMAGE_PNG), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "GIF");
        expectProblem(post(new byte[300 * 1024], MediaType.IMAGE_PNG), HttpStatus.PAYLOAD_TOO_LARGE, "limit");
        // decompression bombs: the header's dimensions are refused before any pixel is decoded
        expectProblem(
                post(TestFaces.pngClaiming(png, 100_000, 100_000), MediaType.IMAGE_PNG),
                HttpStatus.PAYLOAD_TOO_LARGE,
                "100000x100000");
        expectProblem(
                post(TestFaces.jpegClaiming(jpeg, 60_000, 60_000), MediaType.IMAGE_JPEG),
                HttpStatus.PAYLOAD_TOO_LARGE,
                "60000x60000");
        expectProblem(post(TestFaces.pngClaiming(png, 0, 48), MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "0x48");
        expectProblem(post(TestFaces.pngClaiming(png, 48, 0), MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "48x0");

        assertThat(predict(png, MediaType.IMAGE_PNG).emotion()).isNotBlank();
        assertThat(meters.find("emotion.requests.rejected").counters()).isNotEmpty();
    }

    @Test
    void badBatchesSayWhichPartAndWhy() {
        byte[] png = TestFaces.faces().get(0).png();
        MultipartBodyBuilder textPart = new MultipartBodyBuilder();
        textPart.part("image", named(png, "a.png")).contentType(MediaType.IMAGE_PNG);
        textPart.part("image", named("not an image".getBytes(), "b.png")).contentType(MediaType.IMAGE_PNG);
        expectProblem(postBatch(textPart), HttpStatus.BAD_REQUEST, "part 2 (b.png): The body is not a JPEG or PNG");

        MultipartBodyBuilder wrongType = new MultipartBodyBuilder();
        wrongType.part("image", named(png, "a.png")).contentType(MediaType.IMAGE_PNG);
        wrongType.part("image", named(png, "c.txt")).contentType(MediaType.APPLICATION_PDF);
        expectProblem(postBatch(wrongType), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "part 2 (c.txt)");

        MultipartBodyBuilder wrongName = new MultipartBodyBuilder();
        wrongName.part("picture", named(png, "a.png")).contentType(MediaType.IMAGE_PNG);
        expectProblem(postBatch(wrongName), HttpStatus.BAD_REQUEST, "named 'picture'");

        MultipartBodyBuilder tooMany = new MultipartBodyBuilder();
        IntStream.range(0, 33)
                .forEach(i -> tooMany.part("image", named(png, i + ".png")).contentType(MediaType.IMAGE_PNG));
        expectProblem(postBatch(tooMany), HttpStatus.PAYLOAD_TOO_LARGE, "at most 32");

        MultipartBodyBuilder tooLarge = new MultipartBodyBuilder();
        tooLarge.part("image", named(png, "a.png")).contentType(MediaType.IMAGE_PNG);
        tooLarge.part("image", named(new byte[300 * 1024], "big.png")).contentType(MediaType.IMAGE_PNG);
        expectProblem(postBatch(tooLarge), HttpStatus.PAYLOAD_TOO_LARGE, "part 2 (big.png)");

        MultipartBodyBuilder bomb = new MultipartBodyBuilder();
        bomb.part("image", named(TestFaces.pngClaiming(png, 100_000, 100_000), "bomb.png"))
                .contentType(MediaType.IMAGE_PNG);
        expectProblem(postBatch(bomb), HttpStatus.PAYLOAD_TOO_LARGE, "part 1 (bomb.png)");

        // Parts are decoded in parallel: when several are bad at once the answer is still one 4xx naming the
        // first of them (two concurrent failures once made a composite error, answered 500).
        MultipartBodyBuilder allGif = new MultipartBodyBuilder();
        for (int i = 1; i <= 8; i++) {
            allGif.part("image", named(TestFaces.gif(), "f" + i + ".gif")).contentType(MediaType.IMAGE_GIF);
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            expectProblem(postBatch(allGif), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "part 1 (f1.gif)");
        }

        expectProblem(
                client.post()
                        .uri("/api/v1/predictions/batch")
                        .contentType(MediaType.IMAGE_PNG)
                        .bodyValue(png)
                        .exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "multipart/form-data");

        MultipartBodyBuilder good = new MultipartBodyBuilder();
        good.part("image", named(png, "a.png")).contentType(MediaType.IMAGE_PNG);
        assertThat(postBatch(good)
                        .expectStatus()
                        .isOk()
                        .expectBody(PREDICTION_LIST)
                        .returnResult()
                        .getResponseBody())
                .hasSize(1);
    }

    @Test
    void aBatchNamingAnotherVersionOfTheModelIsAConflictThatNamesBothVersions() {
        String loaded = ModelDirectory.load(TestFaces.MODEL_DIR).manifest().version();
        String id = ModelDirectory.load(TestFaces.MODEL_DIR).id();
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        body.part("image", named(TestFaces.faces().get(0).png(), "a.png")).contentType(MediaType.IMAGE_PNG);

        assertThat(client.post()
                        .uri("/api/v1/predictions/batch?model={m}&version={v}", id, loaded)
                        .contentType(MediaType.MULTIPART_FORM_DATA)
                        .body(BodyInserters.fromMultipartData(body.build()))
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody(PREDICTION_LIST)
                        .returnResult()
                        .getResponseBody())
                .hasSize(1);

        Map<String, Object> problem = client.post()
                .uri("/api/v1/predictions/batch?model={m}&version={v}", id, "0.0.0-other")
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build()))
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONFLICT)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {})
                .returnResult()
                .getResponseBody();
        assertThat(problem)
                .containsEntry("type", "urn:affectune:problem:model-version-mismatch")
                .containsEntry("status", 409)
                .containsEntry("model", id)
                .containsEntry("requestedVersion", "0.0.0-other")
                .containsEntry("loadedVersion", loaded);
        assertThat((String) problem.get("detail")).contains("version 0.0.0-other", "version " + loaded);
    }

    @Test
    void malformedContentTypesAreClientErrors() throws Exception {
        byte[] png = TestFaces.faces().get(0).png();
        for (String path : new String[] {"/api/v1/predictions", "/api/v1/predictions/batch"}) {
            for (String type :
                    new String[] {"%%%", "image/jpeg;;;=;\"", "image/", "/", "multipart/form-data; boundary=\"x"}) {
                RawHttp.Answer answer = RawHttp.post(port, path, type, png);
                assertThat(answer.status())
                        .as("%s with Content-Type: %s", path, type)
                        .isEqualTo(415);
                assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
                assertThat(answer.body()).contains("is not a media type");
            }
        }
        assertThat(predict(png, MediaType.IMAGE_PNG).emotion()).isNotBlank(); // and the service goes on
    }

    @Test
    void aRefusalBeforeTheBodyIsReadStillLetsTheNextRequestBeAnswered() {
        // the refused body is read before the 415 (service-support), so the kept-alive connection stays usable
        byte[] png = TestFaces.faces().get(0).png();
        for (int i = 0; i < 20; i++) {
            post(png, MediaType.TEXT_PLAIN).expectStatus().isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
            assertThat(predict(png, MediaType.IMAGE_PNG).emotion()).isNotBlank();
        }
    }

    @Test
    void operationalEndpointsAnswer() {
        client.get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        predict(TestFaces.faces().get(1).png(), MediaType.IMAGE_PNG);
        String prometheus = client.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(prometheus)
                .contains("emotion_inference_seconds_bucket", "emotion_inference_batch_size", "emotion_queue_depth");
        client.get()
                .uri("/v3/api-docs")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.paths['/api/v1/predictions']")
                .exists();
    }

    private Prediction predict(byte[] image, MediaType type) {
        return post(image, type)
                .expectStatus()
                .isOk()
                .expectBody(Prediction.class)
                .returnResult()
                .getResponseBody();
    }

    private WebTestClient.ResponseSpec post(byte[] body, MediaType type) {
        return client.post()
                .uri("/api/v1/predictions")
                .contentType(type)
                .bodyValue(body)
                .exchange();
    }

    private WebTestClient.ResponseSpec postBatch(MultipartBodyBuilder body) {
        return client.post()
                .uri("/api/v1/predictions/batch")
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build()))
                .exchange();
    }

    static void expectProblem(WebTestClient.ResponseSpec response, HttpStatus status, String detailContains) {
        Map<String, Object> problem = response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {})
                .returnResult()
                .getResponseBody();
        assertThat(problem).containsKeys("title", "detail", "status");
        assertThat((String) problem.get("detail")).contains(detailContains);
    }

    private static ByteArrayResource named(byte[] bytes, String filename) {
        return new ByteArrayResource(bytes) {
            @Override
            public String getFilename() {
                return filename;
            }
        };
    }

    private static float[] toArray(Prediction prediction) {
        List<Float> values = new ArrayList<>(prediction.probabilities().values());
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
