package io.affectune.bench.camera;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.camera.TestFaces;
import io.affectune.camera.TestFrames;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Accuracy of the whole camera path against the model on the same validation faces. For each face:
 * (a) the original 48x48 face goes straight to emotion-service (the model's own accuracy on it);
 * (b) the face is upscaled into a 640x480 camera-like frame (JPEG), sent to camera-service's
 * POST /api/v1/analyze, which detects, crops (calibrated framing, eye alignment) and classifies.
 * A face camera-service does not find counts as wrong.
 * Run: camera-service/scripts/accuracy.sh [--count 1000] [--side 192]
 */
public final class PathAccuracy {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path data = Path.of(CropCalibration.arg(args, "--data", "../shared/datasets/fer2013"));
        int count = Integer.parseInt(CropCalibration.arg(args, "--count", "1000"));
        int side = Integer.parseInt(CropCalibration.arg(args, "--side", "192"));
        Fer2013 fer = Fer2013.read(data, "val");
        io.affectune.camera.vision.OpenCv.ensureLoaded();
        try (Services services = new Services(null)) {
            HttpClient http = HttpClient.newHttpClient();
            int step = Math.max(1, (fer.faces().length + count - 1) / count);
            int n = 0;
            int modelCorrect = 0;
            int pathCorrect = 0;
            int found = 0;
            int modelCorrectWhereFound = 0;
            int pathCorrectWhereFound = 0;
            int agree = 0;
            for (int i = 0; i < fer.faces().length && n < count; i += step) {
                String label = Fer2013.LABELS[fer.labels()[i]];
                String direct = direct(http, services.emotion.baseUrl(), fer.faces()[i]);
                Mat frame = TestFrames.compose(
                        fer.faces()[i], 640, 480, side, 100 + (i * 37) % 300, 60 + (i * 53) % 200, i);
                byte[] jpeg = TestFaces.jpeg(frame, 95);
                frame.release();
                JsonNode result = JSON.readTree(http.send(
                                HttpRequest.newBuilder(URI.create(services.camera.baseUrl() + "/api/v1/analyze"))
                                        .header("Content-Type", "image/jpeg")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                if (result.path("degraded").asBoolean()) {
                    throw new IllegalStateException("camera-service answered degraded: emotion-service unavailable");
                }
                JsonNode faces = result.path("faces");
                String viaCamera =
                        faces.size() > 0 ? faces.get(0).path("emotion").asText() : null;
                n++;
                modelCorrect += label.equals(direct) ? 1 : 0;
                pathCorrect += label.equals(viaCamera) ? 1 : 0;
                if (viaCamera != null) {
                    found++;
                    modelCorrectWhereFound += label.equals(direct) ? 1 : 0;
                    pathCorrectWhereFound += label.equals(viaCamera) ? 1 : 0;
                    agree += viaCamera.equals(direct) ? 1 : 0;
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "validation faces: %d (every %d-th of %d), pasted at %d px into 640x480 JPEG frames%n",
                    n,
                    step,
                    fer.faces().length,
                    side);
            System.out.printf(
                    Locale.ROOT,
                    "model on the original 48x48 faces:        accuracy %.2f%%%n",
                    100.0 * modelCorrect / n);
            System.out.printf(
                    Locale.ROOT,
                    "camera path (detect, crop, classify):     accuracy %.2f%%  (faces found: %d = %.1f%%)%n",
                    100.0 * pathCorrect / n,
                    found,
                    100.0 * found / n);
            System.out.printf(
                    Locale.ROOT,
                    "difference: %.2f points (target: within 3)%n",
                    100.0 * (modelCorrect - pathCorrect) / n);
            System.out.printf(
                    Locale.ROOT,
                    "on the %d found faces: model %.2f%%, camera path %.2f%%, same answer for %.1f%%%n",
                    found,
                    100.0 * modelCorrectWhereFound / Math.max(1, found),
                    100.0 * pathCorrectWhereFound / Math.max(1, found),
                    100.0 * agree / Math.max(1, found));
        }
    }

    private static String direct(HttpClient http, String emotionUrl, byte[] face48) throws Exception {
        Mat face = new Mat(48, 48, CvType.CV_8UC1);
        face.put(0, 0, face48);
        byte[] png = TestFaces.png(face);
        face.release();
        String boundary = "b" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"face.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.write(png);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(emotionUrl + "/api/v1/predictions/batch"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("emotion-service: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get(0).path("emotion").asText();
    }
}
