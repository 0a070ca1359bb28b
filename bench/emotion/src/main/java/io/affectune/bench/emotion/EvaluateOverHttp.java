package io.affectune.bench.emotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.emotion.TestFaces;
import io.affectune.models.ClassificationMetrics;
import io.affectune.models.Fer2013Split;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.ModelDirectory;
import io.affectune.testsupport.ServiceProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

/**
 * Sends the whole validation split through the HTTP API of the packaged jar (each face as a PNG,
 * single-image requests at concurrency 8) and compares the accuracy with the model card's figure.
 * Needs the data set (-Dfer2013.dir, default ../shared/datasets/fer2013); run with
 * emotion-service/scripts/evaluate-over-http.sh.
 */
public final class EvaluateOverHttp {

    private static final String REPORT = "evaluation-report.txt";

    public static void main(String[] args) {
        ToolMain.run(EvaluateOverHttp::validationAccuracyOverHttpMatchesTheModelCard);
    }

    private static void validationAccuracyOverHttpMatchesTheModelCard() throws Exception {
        TestFaces.requireRealModel();
        LoadClient.startReport(REPORT);
        Path data = Path.of(System.getProperty("fer2013.dir", "../shared/datasets/fer2013"));
        assertThat(data.resolve("val-labels.u8"))
                .as("FER2013 data (set -Dfer2013.dir)")
                .exists();
        Fer2013Split split = Fer2013Split.load(data, "val");
        ModelDescriptor model = ModelDirectory.load(TestFaces.MODEL_DIR);
        ObjectMapper json = new ObjectMapper();
        int[] predicted = new int[split.size()];
        long t0;
        try (ServiceProcess service = ServiceProcess.start("emotion-service", Map.of(), List.of("-Xmx1g"))) {
            LoadClient client = new LoadClient(service.baseUrl());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            t0 = System.nanoTime();
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                jobs.add(pool.submit(() -> {
                    for (int i = worker; i < split.size(); i += 8) {
                        HttpResponse<String> answer = client.predict(png(split.image(i)), "image/png");
                        HttpBenchmark.check(answer);
                        String emotion =
                                json.readTree(answer.body()).get("emotion").asText();
                        predicted[i] = model.manifest().labels().indexOf(emotion);
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ClassificationMetrics metrics =
                new ClassificationMetrics(model.manifest().labels());
        for (int i = 0; i < split.size(); i++) {
            metrics.add(split.label(i), predicted[i]);
        }
        LoadClient.report(
                REPORT,
                "validation split through POST /api/v1/predictions (" + split.size() + " PNGs, "
                        + String.format("%.1f s, %.0f faces/s", seconds, split.size() / seconds) + ")");
        LoadClient.report(REPORT, metrics.report());
        Double cardAccuracy = model.manifest().metrics() == null
                ? null
                : model.manifest().metrics().accuracy();
        assertThat(cardAccuracy).as("model.json metrics.accuracy").isNotNull();
        double differencePoints = Math.abs(metrics.accuracy() - cardAccuracy) * 100;
        LoadClient.report(
                REPORT,
                String.format(
                        "HTTP accuracy %.2f %%, model card (model.json) %.2f %%, difference %.2f points (limit 0.3): %s",
                        metrics.accuracy() * 100,
                        cardAccuracy * 100,
                        differencePoints,
                        differencePoints <= 0.3 ? "OK" : "TOO FAR"));
        assertThat(differencePoints).isLessThanOrEqualTo(0.3);
    }

    private static byte[] png(byte[] gray) throws java.io.IOException {
        BufferedImage image = new BufferedImage(Fer2013Split.SIDE, Fer2013Split.SIDE, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, Fer2013Split.SIDE, Fer2013Split.SIDE, gray);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
