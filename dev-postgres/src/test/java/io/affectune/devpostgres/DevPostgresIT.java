package io.affectune.devpostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged executable jar the way ./run.sh does: a real PostgreSQL 16, as an unprivileged user
 * when the build runs as root (PostgreSQL refuses root), stopped with SIGTERM.
 */
class DevPostgresIT {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path temp;

    private Path work;
    private Path jar;
    private Path dataDir;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void copyTheJarWhereAnUnprivilegedUserCanReadIt() throws Exception {
        // @TempDir is private to this user; the server may run as nobody
        work = Files.createDirectories(temp.resolve("work"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = Files.copy(Path.of(System.getProperty("dev-postgres.jar")), work.resolve("dev-postgres.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        dataDir = work.resolve("data");
        if (ROOT) {
            assumeTrue(
                    Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                    "running as root needs setpriv to start PostgreSQL as nobody");
            Files.createDirectories(dataDir);
            run("chown", "-R", "nobody:" + nobodyGroup(), dataDir.toString());
        }
    }

    @AfterEach
    void stopAnythingLeft() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void servesTheAffectuneDatabaseKeepsItsDataAcrossRestartsAndStopsCleanlyOnSigterm() throws Exception {
        int port = freePort();
        String jdbcUrl = "jdbc:postgresql://localhost:" + port + "/affectune";

        Process first = start(port);
        String ready = awaitReadyLine(first);
        assertThat(ready).startsWith("DEV_POSTGRES_READY " + jdbcUrl);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (answer int)");
            statement.execute("INSERT INTO kept VALUES (42)");
        }
        stopWithSigterm(first, port);

        Process second = start(port);
        awaitReadyLine(second);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT answer FROM kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(42);
        }
        stopWithSigterm(second, port);
    }

    @Test
    void everyAcknowledgedWriteSurvivesAKillOfThePostmaster() throws Exception {
        int port = freePort();
        String jdbcUrl = "jdbc:postgresql://localhost:" + port + "/affectune";
        Process first = start(port);
        awaitReadyLine(first);
        int writes = 200;
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = connection.createStatement()) {
            assertThat(setting(statement, "fsync")).isEqualTo("on");
            assertThat(setting(statement, "synchronous_commit")).isEqualTo("on");
            statement.execute(
                    "CREATE TABLE acknowledged (id serial PRIMARY KEY, track bigint NOT NULL, signal text NOT NULL)");
            // the same writes with the settings the launcher used to have, for the figure only (not kept)
            statement.execute("CREATE TABLE unacknowledged_figure (id serial PRIMARY KEY, track bigint, signal text)");
            statement.execute("SET synchronous_commit = off");
            double before = writesPerSecond(statement, "unacknowledged_figure", writes);
            statement.execute("SET synchronous_commit = on");
            double after = writesPerSecond(statement, "acknowledged", writes); // each one its own transaction
            System.out.printf(
                    Locale.ROOT,
                    "dev-postgres durability: %d single-row commits, synchronous_commit off %.0f "
                            + "writes/s, on (fsync on) %.0f writes/s%n",
                    writes,
                    before,
                    after);
        }
        long postmaster =
                Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"))
                        .get(0)
                        .trim());
        run("kill", "-9", Long.toString(postmaster));
        // the launcher notices and exits non-zero, so that a supervisor restarts it
        assertThat(first.waitFor(30, TimeUnit.SECONDS))
                .as("dev-postgres exits when its postmaster is killed")
                .isTrue();
        assertThat(first.exitValue()).isNotZero();
        awaitNoServerProcessLeft();

        Process second = start(port);
        awaitReadyLine(second); // crash recovery replays the WAL
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*), max(id) FROM acknowledged")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1))
                    .as("acknowledged writes after kill -9 and restart")
                    .isEqualTo(writes);
            assertThat(rows.getInt(2)).isEqualTo(writes);
        }
        stopWithSigterm(second, port);
    }

    @Test
    void sigtermStopsTheServerWithinFiveSecondsWhileClientsStayConnected() throws Exception {
        int port = freePort();
        String jdbcUrl = "jdbc:postgresql://localhost:" + port + "/affectune";
        Process process = start(port);
        awaitReadyLine(process);
        // idle connections, as the services' pools hold them: a smart shutdown would wait for them forever
        List<Connection> pool = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pool.add(DriverManager.getConnection(jdbcUrl, "postgres", ""));
        }
        try {
            long t0 = System.nanoTime();
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(5, TimeUnit.SECONDS))
                    .as("stopped within 5 s of SIGTERM")
                    .isTrue();
            System.out.printf(
                    Locale.ROOT,
                    "dev-postgres: SIGTERM with %d open connections -> stopped in %d ms%n",
                    pool.size(),
                    (System.nanoTime() - t0) / 1_000_000);
            awaitNoServerProcessLeft();
            assertThat(portIsFree(port)).isTrue();
        } finally {
            for (Connection c : pool) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the server is gone
                }
            }
        }
    }

    private static String setting(Statement statement, String name) throws Exception {
        try (ResultSet rows = statement.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static double writesPerSecond(Statement statement, String table, int writes) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 1; i <= writes; i++) {
            statement.executeUpdate("INSERT INTO " + table + " (track, signal) VALUES (" + i + ", 'like')");
        }
        return writes / ((System.nanoTime() - t0) / 1e9);
    }

    /** Backends outlive a killed postmaster for a moment; a new server cannot start while they hold its memory. */
    private void awaitNoServerProcessLeft() throws Exception {
        String dataPath = dataDir.toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ProcessHandle.allProcesses()
                .anyMatch(p ->
                        p.info().commandLine().map(l -> l.contains(dataPath)).orElse(false))) {
            assertThat(System.nanoTime())
                    .as("PostgreSQL processes of %s still running after 30 s", dataPath)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void refusesAPortThatIsAlreadyTakenWithAMessageThatNamesTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Process process = start(taken.getLocalPort());
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(2);
            assertThat(output.get(10, TimeUnit.SECONDS))
                    .contains("already in use")
                    .contains("EMBEDDED_DB_PORT");
        }
    }

    @Test
    void asRootItExplainsThatPostgresqlMustRunUnprivileged() throws Exception {
        assumeTrue(ROOT, "only meaningful when the build runs as root");
        Process process = new ProcessBuilder(javaBinary(), "-jar", jar.toString())
                .redirectErrorStream(true)
                .start();
        started.add(process);
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output.get(10, TimeUnit.SECONDS))
                .contains("refuses to run as root")
                .contains("run.sh");
    }

    private Process start(int port) throws Exception {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=" + nobodyGroup(), "--clear-groups", "--"));
        }
        command.addAll(List.of(javaBinary(), "-Xmx128m", "-jar", jar.toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
        builder.environment().put("AFFECTUNE_DATA_DIR", dataDir.toString());
        builder.environment().put("EMBEDDED_DB_PORT", Integer.toString(port));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Reads the output until the ready line; the rest keeps draining so the process never blocks. */
    private static String awaitReadyLine(Process process) throws Exception {
        CompletableFuture<String> readyLine = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            synchronized (seen) {
                                seen.append(line).append('\n');
                            }
                            if (line.startsWith("DEV_POSTGRES_READY")) {
                                readyLine.complete(line);
                            }
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                    readyLine.completeExceptionally(new IllegalStateException("exited before ready:\n" + seen));
                },
                "dev-postgres-output");
        reader.setDaemon(true);
        reader.start();
        return readyLine.get(180, TimeUnit.SECONDS);
    }

    private void stopWithSigterm(Process process, int port) throws Exception {
        process.destroy(); // SIGTERM
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("stopped within 60 s after SIGTERM")
                .isTrue();
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        assertThat(portIsFree(port)).as("port %d released", port).isTrue();
        String dataPath = dataDir.toString();
        assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info()
                                .commandLine()
                                .map(line -> line.contains(dataPath))
                                .orElse(false))
                        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                        .toList())
                .as("no PostgreSQL process left behind")
                .isEmpty();
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String nobodyGroup() throws Exception {
        String group = run("id", "-gn", "nobody").trim();
        return group.isEmpty() ? "nogroup" : group;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = readAll(process);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
