package io.affectune.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.affectune.testsupport.PostgresTestDatabase;
import io.affectune.testsupport.ServiceProcess;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The whole live loop in a real browser: headless Chromium whose fake camera plays a FER2013 validation
 * face, the dashboard served by the gateway, and the real gateway, playlist, emotion and camera services
 * running from their jars on a fresh PostgreSQL database. The page must show a face box with an emotion label,
 * settle a mood and list tracks; a like must reach playlist-service's database. A second test opens two
 * more browsers (two listeners, each with its own id in localStorage) that like and skip opposite tracks
 * and must then get different playlists for the same mood; it also checks the opt-in history and that
 * "forget me" leaves no row about the listener. Leaves a screenshot at e2e-tests/target/e2e-screenshot.png.
 */
@Tag("e2e")
class DashboardEndToEndTest {

    static final Path CHROMIUM_WRAPPER = Path.of(System.getenv().getOrDefault("CHROMIUM_BINARY", "/usr/bin/chromium"));
    static final Path CHROMIUM_REAL = Path.of("/usr/lib/chromium/chromium");
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Path TARGET = Path.of("target").toAbsolutePath();

    private static Path createdDirectory(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final Duration LOOP_TIMEOUT = Duration.ofSeconds(120);

    static PostgresTestDatabase database;
    static final List<ServiceProcess> services = new ArrayList<>();
    static ServiceProcess playlist;
    static ServiceProcess gateway;
    static String gatewayUrl;
    static WebDriver browser;
    static Path video;

    @BeforeAll
    static void startEverything() throws Exception {
        if (!Files.isExecutable(CHROMIUM_WRAPPER) && !Files.isExecutable(CHROMIUM_REAL)) {
            fail("Chromium is missing: the end-to-end test needs /usr/bin/chromium and /usr/bin/chromedriver "
                    + "(Debian: apt-get install chromium chromium-driver; or set CHROMIUM_BINARY and CHROMEDRIVER).");
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            fail("chromedriver is missing at " + CHROMEDRIVER
                    + " (Debian: apt-get install chromium-driver; or set CHROMEDRIVER).");
        }
        // Selenium must never try to download a driver or a browser.
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());

        Map<String, String> modelEnv = modelEnvironment();

        database = PostgresTestDatabase.create();
        CompletableFuture<ServiceProcess> playlistStart =
                CompletableFuture.supplyAsync(() -> ServiceProcess.start("playlist-service", database.asEnv()));
        CompletableFuture<ServiceProcess> emotionStart =
                CompletableFuture.supplyAsync(() -> ServiceProcess.start("emotion-service", modelEnv));
        try {
            playlist = playlistStart.join();
            services.add(playlist);
            ServiceProcess emotion = emotionStart.join();
            services.add(emotion);
            Map<String, String> cameraEnv = new HashMap<>(modelEnv);
            cameraEnv.put("EMOTION_SERVICE_URL", emotion.baseUrl());
            cameraEnv.put("PLAYLIST_SERVICE_URL", playlist.baseUrl());
            // the one directory camera-service may open video files from (the source clip below is written there)
            cameraEnv.put(
                    "SOURCE_FILE_DIR", createdDirectory(TARGET.resolve("e2e")).toString());
            services.add(ServiceProcess.start("camera-service", cameraEnv));
        } catch (RuntimeException e) {
            playlistStart.thenAccept(ServiceProcess::close);
            emotionStart.thenAccept(ServiceProcess::close);
            throw e;
        }

        gateway = ServiceProcess.start(
                "gateway",
                Map.of(
                        "EMOTION_SERVICE_URL", services.get(1).baseUrl(),
                        "PLAYLIST_SERVICE_URL", playlist.baseUrl(),
                        "CAMERA_SERVICE_URL", services.get(2).baseUrl(),
                        "GATEWAY_MANAGEMENT_PORT", Integer.toString(RealServices.freePort())));
        // "localhost", not 127.0.0.1: the origin the dashboard is served from, as a user opens it
        gatewayUrl = "http://localhost:" + gateway.port();

        video = FakeCameraVideo.write(
                "/e2e/faces/val-1022-happy.png", 300, 40, 10, TARGET.resolve("e2e/fake-camera.y4m"));
        browser = startChromium(video);
    }

    /**
     * The services use the repository's trained model unless E2E_MODELS_DIR / E2E_MODEL name another
     * (e.g. a candidate model). Without a model the loop cannot run: say so at once.
     */
    static Map<String, String> modelEnvironment() {
        String modelsDir = blankToNull(System.getenv("E2E_MODELS_DIR"));
        String model = Objects.requireNonNullElse(blankToNull(System.getenv("E2E_MODEL")), "effnetb3-fer2013-int8");
        Path manifest = (modelsDir != null
                        ? Path.of(modelsDir)
                        : RealServices.repository().resolve("models"))
                .resolve(model)
                .resolve("model.json");
        if (!Files.isRegularFile(manifest)) {
            fail("The end-to-end test needs the emotion model: " + manifest + " is missing. Train and export it "
                    + "(models/training) or point E2E_MODELS_DIR and E2E_MODEL at another model directory.");
        }
        Map<String, String> env = new HashMap<>();
        env.put("DEFAULT_MODEL", model);
        if (modelsDir != null) {
            env.put("MODELS_DIR", Path.of(modelsDir).toAbsolutePath().toString());
        }
        return env;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    static WebDriver startChromium(Path video) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary((Files.isExecutable(CHROMIUM_REAL) ? CHROMIUM_REAL : CHROMIUM_WRAPPER).toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,1500",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--use-file-for-fake-video-capture=" + video);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(TARGET.resolve("e2e/chromedriver.log").toFile())
                .build();
        return new ChromeDriver(driverService, options);
    }

    @AfterAll
    static void stopEverything() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void theDashboardRunsTheWholeLiveLoop() throws Exception {
        browser.get(gatewayUrl + "/?fps=4");
        try {
            await(
                    () -> "the status panel never showed all three services up; the gateway's health says "
                            + gatewayHealth(),
                    d -> d.findElements(By.cssSelector("#services li.up")).size() == 3);
            browser.findElement(By.id("start-camera")).click();
            // a face box with an emotion label on the overlay, and its probability bars
            await(
                    () -> "no face was reported for the fake camera's frames; page says: "
                            + browser.findElement(By.id("faces-summary")).getText() + " / "
                            + browser.findElement(By.id("message")).getText(),
                    d -> !d.findElements(By.cssSelector("#faces .face-card")).isEmpty());
            await(() -> "no face box was drawn on the overlay", d -> overlayPixels() > 500);
            // the face cards are drawn again for every frame: read the label in one go, again if it was replaced
            String faceLabel = new WebDriverWait(browser, LOOP_TIMEOUT)
                    .ignoring(StaleElementReferenceException.class)
                    .until(d ->
                            d.findElement(By.cssSelector("#faces .face-label")).getText());
            assertThat(faceLabel).matches("Face \\d+: (angry|disgust|fear|happy|neutral|sad|surprise) \\d+%.*");

            // a settled mood and a playlist for it
            await(
                    () -> "the mood never settled; last faces: "
                            + browser.findElement(By.id("faces-summary")).getText(),
                    d -> d.findElement(By.id("mood-emotion")).getDomAttribute("data-emotion") != null);
            String mood = browser.findElement(By.id("mood-emotion")).getDomAttribute("data-emotion");
            assertThat(mood).isIn("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");
            await(
                    () -> "no playlist appeared; playlist status: "
                            + browser.findElement(By.id("playlist-status")).getText(),
                    d -> !d.findElements(By.cssSelector("#tracks li.track")).isEmpty());
            WebElement firstTrack = browser.findElement(By.cssSelector("#tracks li.track"));
            long trackId = Long.parseLong(firstTrack.getDomAttribute("data-track-id"));
            assertThat(firstTrack.findElement(By.className("track-title")).getText())
                    .isNotBlank();

            // like the first track: the feedback must land in playlist-service's database
            firstTrack.findElement(By.cssSelector("button.like")).click();
            await(
                    () -> "the like was not confirmed: " + firstTrack.getText(),
                    d -> "true"
                            .equals(firstTrack
                                    .findElement(By.cssSelector("button.like"))
                                    .getDomAttribute("aria-pressed")));
            // stored with this browser's listener id: the gateway forwarded X-Listener-Id
            assertThat(likesInDatabase(trackId, mood, listenerIdIn(browser))).isEqualTo(1);

            // the status panel reports the stream
            await(
                    () -> "no frame rate shown",
                    d -> Double.parseDouble(d.findElement(By.id("stat-fps")).getText()) > 0);
            assertThat(browser.findElement(By.id("stat-latency")).getText()).endsWith("ms");
            await(
                    () -> "the mood's duration did not advance",
                    d -> !d.findElement(By.id("mood-detail")).getText().contains("for 0 s"));
            screenshot();

            // the photo fallback: the same face as a PNG file, analysed, then its (personal) playlist loaded
            Path photo =
                    FakeCameraVideo.writeStill("/e2e/faces/val-1022-happy.png", 300, TARGET.resolve("e2e/photo.png"));
            browser.findElement(By.id("stop")).click();
            browser.findElement(By.id("photo")).sendKeys(photo.toString());
            await(
                    () -> "the photo was not analysed: "
                            + browser.findElement(By.id("message")).getText(),
                    d -> d.findElement(By.id("faces-summary")).getText().startsWith("1 face:"));
            await(
                    () -> "no playlist for the photo",
                    d -> !d.findElements(By.cssSelector("#tracks li.track")).isEmpty());
            assertThat(browser.findElement(By.id("still")).getDomAttribute("src"))
                    .startsWith("blob:");

            // the server-side source fallback: camera-service reads an MJPEG AVI itself, the page shows its
            // annotated preview (MJPEG) and the results arriving as server-sent events
            Path clip = FakeCameraVideo.writeMjpegAvi(
                    "/e2e/faces/val-1022-happy.png", 300, 150, 10, TARGET.resolve("e2e/source.avi"));
            WebElement sourceUrl = browser.findElement(By.id("source-url"));
            sourceUrl.clear();
            sourceUrl.sendKeys(clip.toString());
            browser.findElement(By.cssSelector("#source-form button[type=submit]"))
                    .click();
            await(
                    () -> "the source's preview never showed: "
                            + browser.findElement(By.id("message")).getText(),
                    d -> Boolean.TRUE.equals(((JavascriptExecutor) d)
                            .executeScript("const i = document.getElementById('still');"
                                    + " return i.src.endsWith('/preview.mjpg') && i.naturalWidth > 0;")));
            await(
                    () -> "no results arrived from the source's events: "
                            + browser.findElement(By.id("message")).getText(),
                    d -> Long.parseLong(d.findElement(By.id("stat-sent")).getText()) > 0
                            && d.findElement(By.id("faces-summary")).getText().startsWith("1 face:"));
            screenshot("e2e-source-screenshot.png");
        } catch (RuntimeException | AssertionError e) {
            screenshot("e2e-failure-screenshot.png"); // shows where the loop stopped
            throw e;
        }
        assertThat(contentSecurityPolicyViolations()).isEmpty();
    }

    @Test
    void twoListenersWithOppositeLikesGetDifferentPlaylistsAndForgetMeLeavesNoRow() throws Exception {
        Path photo = FakeCameraVideo.writeStill("/e2e/faces/val-1022-happy.png", 300, TARGET.resolve("e2e/photo.png"));
        warmUp(photo);
        WebDriver a = startChromium(video);
        WebDriver b = startChromium(video);
        try {
            List<Long> coldA = playlistForPhoto(a, photo);
            List<Long> coldB = playlistForPhoto(b, photo);
            String idA = listenerIdIn(a);
            String idB = listenerIdIn(b);
            assertThat(idA)
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
                    .isNotEqualTo(idB);
            assertThat(a.findElement(By.id("listener-id")).getText()).isEqualTo(idA);
            // as many tracks as the playlist limit (15), and before any feedback both get the global list
            assertThat(coldA).hasSize(15).isEqualTo(coldB);
            assertThat(a.findElement(By.id("mood-emotion")).getDomAttribute("data-emotion"))
                    .isEqualTo(b.findElement(By.id("mood-emotion")).getDomAttribute("data-emotion"));

            // opposite tastes: A likes the first three and skips the next three, B the other way round
            List<Long> first = coldA.subList(0, 3);
            List<Long> second = coldA.subList(3, 6);
            for (int i = 0; i < 3; i++) {
                click(a, first.get(i), "like");
                click(b, first.get(i), "skip");
                click(a, second.get(i), "skip");
                click(b, second.get(i), "like");
            }

            // a new visit: the same listener ids from localStorage, now personal playlists for the same mood
            a.navigate().refresh();
            b.navigate().refresh();
            List<Long> personalA = playlistForPhoto(a, photo);
            List<Long> personalB = playlistForPhoto(b, photo);
            assertThat(listenerIdIn(a)).isEqualTo(idA);
            assertThat(listenerIdIn(b)).isEqualTo(idB);
            assertThat(personalA).isNotEqualTo(personalB).doesNotContainAnyElementsOf(second);
            assertThat(personalB).doesNotContainAnyElementsOf(first);
            assertThat(a.findElement(By.id("tracks")).getText()).containsPattern("you liked (it|\\d+ similar track)");
            screenshot(a, "e2e-listener-a.png");
            screenshot(b, "e2e-listener-b.png");

            // history is off by default; turned on, it shows the settled mood and the liked tracks
            WebElement consent = a.findElement(By.id("history-consent"));
            assertThat(consent.isSelected()).isFalse();
            assertThat(historyRows(idA)).isZero();
            consent.click();
            awaitIn(
                    a,
                    () -> "history was not turned on: "
                            + a.findElement(By.id("listener-status")).getText(),
                    d -> d.findElement(By.id("listener-status")).getText().startsWith("History is on"));
            a.navigate().refresh();
            playlistForPhoto(a, photo);
            long liked = Long.parseLong(
                    a.findElement(By.cssSelector("#tracks li.track")).getDomAttribute("data-track-id"));
            click(a, liked, "like");
            awaitIn(
                    a,
                    () -> "the history did not show the mood and the liked track: "
                            + a.findElement(By.id("history")).getText(),
                    d -> d.findElement(By.id("mood-days")).getText().matches("(?s).*\\d{4}-\\d{2}-\\d{2}: \\w+ 1.*")
                            && !d.findElements(By.cssSelector("#liked-tracks li[data-track-id='" + liked + "']"))
                                    .isEmpty());
            assertThat(historyRows(idA)).isGreaterThanOrEqualTo(3); // the mood, the playlist shown, the like

            // forget me: every row about A goes; B is untouched; A continues as a new listener
            long rowsAboutB = rowsAbout(idB);
            a.findElement(By.id("forget-me")).click();
            a.switchTo().alert().accept();
            awaitIn(
                    a,
                    () -> "forget me was not confirmed: "
                            + a.findElement(By.id("listener-status")).getText(),
                    d -> d.findElement(By.id("listener-status")).getText().startsWith("Forgotten"));
            assertThat(rowsAbout(idA)).isZero();
            assertThat(rowsAbout(idB)).isEqualTo(rowsAboutB).isPositive();
            assertThat(listenerIdIn(a)).isNotEqualTo(idA);
            assertThat(a.findElement(By.id("history-consent")).isSelected()).isFalse();
        } catch (RuntimeException | AssertionError e) {
            screenshot(a, "e2e-listener-failure-a.png");
            screenshot(b, "e2e-listener-failure-b.png");
            throw e;
        } finally {
            a.quit();
            b.quit();
        }
    }

    /**
     * The first analysis after start-up may outlast camera-service's 2 s call timeout on a loaded machine (the
     * face then comes back unclassified): analyse the photo through the gateway until a face has an emotion.
     */
    private void warmUp(Path photo) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = "";
        for (int i = 0; i < 20 && !body.contains("\"emotion\":\""); i++) {
            body = client.send(
                            HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/v1/analyze"))
                                    .header("Content-Type", "image/png")
                                    .POST(HttpRequest.BodyPublishers.ofFile(photo))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
        assertThat(body).as("the photo was never classified").contains("\"emotion\":\"");
    }

    /** Loads the dashboard if needed, uploads the photo and returns the ids of the playlist it shows. */
    private List<Long> playlistForPhoto(WebDriver driver, Path photo) {
        if (!driver.getCurrentUrl().startsWith(gatewayUrl)) {
            driver.get(gatewayUrl + "/");
        }
        WebElement input = driver.findElement(By.id("photo"));
        for (int attempt = 1; ; attempt++) {
            ((JavascriptExecutor) driver)
                    .executeScript("arguments[0].value = '';", input); // the same file again fires 'change'
            input.sendKeys(photo.toString());
            awaitIn(
                    driver,
                    () -> "no playlist for the photo: "
                            + driver.findElement(By.id("playlist-status")).getText() + " / "
                            + driver.findElement(By.id("message")).getText(),
                    d -> d.findElement(By.id("playlist-status")).getText().matches("\\d+ tracks .*")
                            || d.findElement(By.id("message")).getText().startsWith("No face was found"));
            if (driver.findElement(By.id("playlist-status")).getText().matches("\\d+ tracks .*") || attempt == 3) {
                break;
            }
            // an analysis that timed out on a busy machine: the face came back unclassified; try once more
        }
        awaitIn(
                driver,
                () -> "no playlist for the photo: "
                        + driver.findElement(By.id("playlist-status")).getText() + " / "
                        + driver.findElement(By.id("message")).getText(),
                d -> d.findElement(By.id("playlist-status")).getText().matches("\\d+ tracks .*"));
        return driver.findElements(By.cssSelector("#tracks li.track")).stream()
                .map(t -> Long.parseLong(t.getDomAttribute("data-track-id")))
                .toList();
    }

    private void click(WebDriver driver, long trackId, String signal) {
        int before = feedbackRows();
        driver.findElement(By.cssSelector("#tracks li.track[data-track-id='" + trackId + "'] button." + signal))
                .click();
        awaitIn(driver, () -> signal + " of " + trackId + " did not reach the database", d -> feedbackRows() > before);
    }

    private static String listenerIdIn(WebDriver driver) {
        return (String)
                ((JavascriptExecutor) driver).executeScript("return localStorage.getItem('affectune.listenerId');");
    }

    private void awaitIn(WebDriver driver, Supplier<String> failure, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, LOOP_TIMEOUT)
                .ignoring(StaleElementReferenceException.class)
                .withMessage(failure)
                .until(condition);
    }

    private int feedbackRows() {
        return queryInt("SELECT count(*) FROM feedback", null);
    }

    private int historyRows(String listener) {
        return queryInt("SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid", listener);
    }

    /** Every row in every table that can hold a listener id. */
    private int rowsAbout(String listener) {
        return queryInt(
                "SELECT (SELECT count(*) FROM listener WHERE id = ?::uuid)"
                        + " + (SELECT count(*) FROM listener_event WHERE listener_id = ?::uuid)"
                        + " + (SELECT count(*) FROM listener_feedback_tally WHERE listener_id = ?::uuid)"
                        + " + (SELECT count(*) FROM feedback WHERE listener_id = ?::uuid)",
                listener);
    }

    private int queryInt(String sql, String listener) {
        try (Connection connection =
                        DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
                PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 1;
                    listener != null && i <= query.getParameterMetaData().getParameterCount();
                    i++) {
                query.setString(i, listener);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static void screenshot(WebDriver driver, String name) {
        try {
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), TARGET.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            System.err.println("No screenshot " + name + ": " + e);
        }
    }

    private void await(Supplier<String> failure, Function<WebDriver, Boolean> condition) {
        awaitIn(browser, failure, condition);
    }

    private String gatewayHealth() {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(gatewayUrl + "/actuator/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() + " " + answer.body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private long overlayPixels() {
        Object count = ((JavascriptExecutor) browser).executeScript("""
                const c = document.getElementById('overlay');
                if (!c.width || !c.height) return 0;
                const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
                return n;""");
        return ((Number) count).longValue();
    }

    private int likesInDatabase(long trackId, String emotion, String listener) throws SQLException {
        try (Connection connection =
                        DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
                PreparedStatement query = connection.prepareStatement(
                        "SELECT count(*) FROM feedback WHERE track_id = ? AND emotion = ? AND signal = 'like' AND session_id IS NOT NULL"
                                + " AND listener_id = ?::uuid")) {
            query.setLong(1, trackId);
            query.setString(2, emotion);
            query.setString(3, listener);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private List<String> contentSecurityPolicyViolations() {
        try {
            return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(LogEntry::getMessage)
                    .filter(message -> message.contains("Content Security Policy") || message.contains("Refused to"))
                    .toList();
        } catch (RuntimeException logsUnavailable) {
            return List.of();
        }
    }

    private void screenshot() throws IOException {
        screenshot("e2e-screenshot.png");
    }

    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), TARGET.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
