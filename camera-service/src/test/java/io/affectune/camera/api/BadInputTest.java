package io.affectune.camera.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import io.affectune.testsupport.RawHttp;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * Every kind of bad input gets a clear 4xx problem+json answer (or a WebSocket close/error), and
 * the service keeps working. emotion-service is deliberately unreachable here: frames come back
 * with faces, emotion null and degraded=true.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "camera.emotion.url=http://127.0.0.1:9",
            "camera.playlist.url=http://127.0.0.1:9",
            "resilience4j.timelimiter.instances.emotion-service.timeout-duration=500ms",
            "camera.limits.max-image-bytes=2000000",
            "camera.limits.max-ws-message-bytes=300000",
            "camera.source.file-directory=${java.io.tmpdir}"
        })
class BadInputTest {

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    private static byte[] faceJpeg(int width, int height) {
        Mat frame = TestFrames.compose(
                TestFaces.withLabel("happy").get(0).pixels(),
                width,
                height,
                Math.min(width, height) / 3,
                width / 3,
                height / 3,
                1);
        try {
            return TestFaces.jpeg(frame, 90);
        } finally {
            frame.release();
        }
    }

    private WebTestClient.ResponseSpec analyze(byte[] body, MediaType type) {
        return http.post()
                .uri("/api/v1/analyze")
                .contentType(type)
                .bodyValue(body)
                .exchange();
    }

    private void expectProblem(WebTestClient.ResponseSpec response, int status, String detailPart) {
        response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(status)
                .jsonPath("$.detail")
                .value(d -> assertThat((String) d).containsIgnoringCase(detailPart));
    }

    @Test
    void aGoodFrameWithEmotionServiceDownStillGetsItsFaceMarkedDegraded() {
        http.post()
                .uri("/api/v1/analyze")
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(faceJpeg(640, 480))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.frame.width")
                .isEqualTo(640)
                .jsonPath("$.faces.length()")
                .isEqualTo(1)
                .jsonPath("$.faces[0].box.width")
                .value(w -> assertThat((Integer) w).isBetween(120, 260))
                .jsonPath("$.faces[0].landmarks.leftEye.x")
                .exists()
                .jsonPath("$.faces[0].emotion")
                .doesNotExist()
                .jsonPath("$.degraded")
                .isEqualTo(true)
                .jsonPath("$.timings.detectMs")
                .exists();
    }

    @Test
    void aListenerIdThatIsNotAUuid() {
        expectProblem(
                http.post()
                        .uri("/api/v1/analyze?recommend=true")
                        .header("X-Listener-Id", "not-a-uuid")
                        .contentType(MediaType.IMAGE_JPEG)
                        .bodyValue(faceJpeg(320, 240))
                        .exchange(),
                400,
                "X-Listener-Id");
    }

    @Test
    void emptyBody() {
        expectProblem(
                http.post()
                        .uri("/api/v1/analyze")
                        .contentType(MediaType.IMAGE_JPEG)
                        .exchange(),
                400,
                "no image");
    }

    @Test
    void notAnImage() {
        expectProblem(analyze("hello, I am text".getBytes(), MediaType.IMAGE_JPEG), 400, "not a JPEG or PNG");
    }

    @Test
    void truncatedJpegAndPng() {
        byte[] jpeg = faceJpeg(640, 480);
        expectProblem(analyze(Arrays.copyOf(jpeg, jpeg.length / 2), MediaType.IMAGE_JPEG), 400, "truncated");
        Mat frame = TestFrames.background(320, 240, 3);
        byte[] png = TestFaces.png(frame);
        frame.release();
        expectProblem(analyze(Arrays.copyOf(png, png.length - 30), MediaType.IMAGE_PNG), 400, "truncated");
    }

    @Test
    void unsupportedTypes() {
        expectProblem(analyze("GIF89a....".getBytes(), MediaType.IMAGE_GIF), 415, "Content-Type");
        expectProblem(analyze("plain".getBytes(), MediaType.TEXT_PLAIN), 415, "image/jpeg");
        expectProblem(
                analyze("GIF89a\u0001\u0000\u0001\u0000".getBytes(), MediaType.APPLICATION_OCTET_STREAM), 415, "GIF");
    }

    @Test
    void malformedContentTypesAreClientErrors() throws Exception {
        byte[] jpeg = faceJpeg(64, 48);
        for (String type : MALFORMED_CONTENT_TYPES) {
            RawHttp.Answer answer = RawHttp.post(port, "/api/v1/analyze", type, jpeg);
            assertThat(answer.status()).as("Content-Type: %s", type).isEqualTo(415);
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(answer.body()).contains("is not a media type");
        }
        analyze(jpeg, MediaType.IMAGE_JPEG).expectStatus().isOk(); // and the service goes on
    }

    /** Content-Type values that are no media type at all, as the probe sent them. */
    static final String[] MALFORMED_CONTENT_TYPES = {
        "%%%", "image/jpeg;;;=;\"", "image/", "/", "image/jpeg; charset=\"unterminated"
    };

    @Test
    void tooLargeBody() {
        byte[] big = new byte[2_500_000];
        big[0] = (byte) 0xFF;
        big[1] = (byte) 0xD8;
        big[2] = (byte) 0xFF;
        expectProblem(analyze(big, MediaType.IMAGE_JPEG), 413, "larger than");
    }

    @Test
    void pixelBombIsRefusedWithoutDecoding() {
        expectProblem(analyze(png(60000, 60000), MediaType.IMAGE_PNG), 413, "pixels");
    }

    @Test
    void zeroSizeImage() {
        expectProblem(analyze(png(0, 10), MediaType.IMAGE_PNG), 400, "zero");
    }

    @Test
    void framesOverFullHdAreDownscaledAndSaySo() {
        http.post()
                .uri("/api/v1/analyze")
                .contentType(MediaType.IMAGE_JPEG)
                .bodyValue(faceJpeg(3840, 2160))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.frame.width")
                .isEqualTo(1920)
                .jsonPath("$.frame.height")
                .isEqualTo(1080)
                .jsonPath("$.downscaledFrom.width")
                .isEqualTo(3840)
                .jsonPath("$.faces.length()")
                .isEqualTo(1);
    }

    @Test
    void unknownSessions() {
        expectProblem(
                http.get()
                        .uri("/api/v1/sessions/nope/events")
                        .accept(MediaType.TEXT_EVENT_STREAM)
                        .exchange(),
                404,
                "nope");
        expectProblem(http.get().uri("/api/v1/sessions/nope/preview.mjpg").exchange(), 404, "nope");
        expectProblem(http.get().uri("/api/v1/sessions/nope").exchange(), 404, "nope");
        expectProblem(http.delete().uri("/api/v1/sessions/nope").exchange(), 404, "nope");
        expectProblem(http.delete().uri("/api/v1/sources/nope").exchange(), 404, "nope");
    }

    @Test
    void badSourceUris() {
        for (String uri : new String[] {
            "", "ftp://example.org/x.avi", "/no/such/video.avi", "file:///no/such.avi", "not a uri at all %%", "42"
        }) {
            expectProblem(
                    http.post()
                            .uri("/api/v1/sources")
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(Map.of("uri", uri))
                            .exchange(),
                    400,
                    "");
        }
        expectProblem(
                http.post()
                        .uri("/api/v1/sources")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("uri", "0", "fps", 500))
                        .exchange(),
                400,
                "fps");
    }

    @Test
    void fileSourcesComeOnlyFromTheConfiguredDirectoryAndTellNothingAboutOtherFiles() throws Exception {
        Path notAVideo = Files.createTempFile("not-a-video", ".avi");
        try {
            Files.writeString(notAVideo, "hello");
            java.util.Set<String> details = new java.util.HashSet<>();
            for (String uri : new String[] {
                "/etc/shadow",
                "/etc/no-such-file",
                "file:///etc/passwd",
                Path.of(System.getProperty("java.io.tmpdir"), "..", "etc", "shadow")
                        .toString(),
                notAVideo.toString(),
                notAVideo.resolveSibling("missing.avi").toString()
            }) {
                http.post()
                        .uri("/api/v1/sources")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("uri", uri))
                        .exchange()
                        .expectStatus()
                        .isBadRequest()
                        .expectHeader()
                        .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectBody()
                        .jsonPath("$.detail")
                        .value(d -> details.add(((String) d).replaceAll("'[^']*'", "'NAME'")));
            }
            // one answer for a file that exists outside, one that does not, and one inside that is no video
            assertThat(details).hasSize(1);
        } finally {
            Files.deleteIfExists(notAVideo);
        }
    }

    @Test
    void aVideoFileSourceFeedsItsSessionsEventStream() throws Exception {
        Path video = Files.createTempFile("faces", ".avi");
        try {
            writeVideo(video);
            String sessionId = "video-" + System.nanoTime();
            http.post()
                    .uri("/api/v1/sources")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("uri", video.toString(), "sessionId", sessionId, "fps", 20))
                    .exchange()
                    .expectStatus()
                    .isCreated()
                    .expectBody()
                    .jsonPath("$.sessionId")
                    .isEqualTo(sessionId)
                    .jsonPath("$.state")
                    .isEqualTo("RUNNING");
            // the file is short: by now frames have been processed into the session
            Thread.sleep(1500);
            http.get()
                    .uri("/api/v1/sessions/" + sessionId)
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.processedFrames")
                    .value(n -> assertThat(((Number) n).longValue()).isPositive());
        } finally {
            Files.deleteIfExists(video);
        }
    }

    @Test
    void webSocketMessagesOverTheLimitCloseWith1009AndTextGetsAnError() {
        ReactorNettyWebSocketClient client = new ReactorNettyWebSocketClient(
                reactor.netty.http.client.HttpClient.create(),
                () -> WebsocketClientSpec.builder().maxFramePayloadLength(4_000_000));
        AtomicReference<CloseStatus> closed = new AtomicReference<>();
        byte[] huge = new byte[400_000];
        client.execute(
                        URI.create("ws://127.0.0.1:" + port + "/api/v1/sessions/big-" + System.nanoTime() + "/stream"),
                        ws -> ws.send(Mono.just(ws.binaryMessage(f -> f.wrap(huge))))
                                .then(ws.closeStatus().doOnNext(closed::set))
                                .then())
                .block(Duration.ofSeconds(10));
        assertThat(closed.get()).isNotNull();
        assertThat(closed.get().getCode()).isEqualTo(1009);

        AtomicReference<String> answer = new AtomicReference<>();
        client.execute(
                        URI.create("ws://127.0.0.1:" + port + "/api/v1/sessions/text-" + System.nanoTime() + "/stream"),
                        ws -> ws.send(Mono.just(ws.textMessage("hello")))
                                .thenMany(ws.receive().take(1).doOnNext(m -> answer.set(m.getPayloadAsText())))
                                .then())
                .block(Duration.ofSeconds(10));
        assertThat(answer.get()).contains("\"status\":400").contains("binary");
    }

    /** A PNG with only a valid signature and IHDR (and IEND), claiming the given dimensions. */
    static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        b.putInt(13);
        int crcStart = b.position();
        b.put(new byte[] {'I', 'H', 'D', 'R'});
        b.putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), crcStart, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put(new byte[] {'I', 'E', 'N', 'D'}).putInt(0xAE426082);
        return b.array();
    }

    static void writeVideo(Path file) {
        org.opencv.videoio.VideoWriter writer = new org.opencv.videoio.VideoWriter(
                file.toString(),
                org.opencv.videoio.Videoio.CAP_OPENCV_MJPEG,
                org.opencv.videoio.VideoWriter.fourcc('M', 'J', 'P', 'G'),
                10,
                new org.opencv.core.Size(640, 480));
        assertThat(writer.isOpened()).isTrue();
        byte[] face = TestFaces.withLabel("happy").get(1).pixels();
        for (int i = 0; i < 10; i++) {
            Mat frame = TestFrames.compose(face, 640, 480, 200, 200 + i * 4, 120, i);
            writer.write(frame);
            frame.release();
        }
        writer.release();
    }
}
