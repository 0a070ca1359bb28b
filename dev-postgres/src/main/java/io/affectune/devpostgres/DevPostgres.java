package io.affectune.devpostgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 16 server for local development without Docker: started by ./run.sh, data kept across
 * restarts under {@code $AFFECTUNE_DATA_DIR/postgres}, stopped cleanly on SIGTERM/SIGINT.
 */
public final class DevPostgres {

    private static final Logger log = LoggerFactory.getLogger(DevPostgres.class);

    /** Exit status when the settings or the environment make starting impossible (run.sh shows the message). */
    private static final int EXIT_CONFIGURATION = 2;

    private DevPostgres() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(DevPostgresSettings.HELP);
            return;
        }
        DevPostgresSettings settings;
        try {
            settings = DevPostgresSettings.fromEnvironment(System.getenv());
            checkCanStart(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("dev-postgres: " + e.getMessage());
            System.exit(EXIT_CONFIGURATION);
            return;
        }
        run(settings);
    }

    private static void run(DevPostgresSettings settings) throws IOException, SQLException, InterruptedException {
        Files.createDirectories(settings.postgresDirectory());
        Files.createDirectories(settings.binariesDirectory());
        Files.createDirectories(settings.scratchDirectory());
        // zonky tidies "stale" directories under its working dir (default: the shared /tmp/embedded-pg);
        // keep that to a directory of our own so it never touches anybody else's test databases.
        System.setProperty("ot.epg.working-dir", settings.scratchDirectory().toString());

        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(settings.port())
                .setDataDirectory(settings.postgresDirectory())
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(settings.binariesDirectory().toFile())
                .setLocaleConfig("locale", "C")
                .setPGStartupWait(settings.startupTimeout())
                // zonky is made for throw-away test databases: it starts the server with -F (no fsync) and
                // synchronous_commit=off, so a commit is acknowledged before its WAL is written and a kill -9
                // lost 3-15 of ~215 acknowledged writes. This database keeps people's data: PostgreSQL's own
                // defaults (the -c options come after -F on the command line and win).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
        // zonky registers its own shutdown hook that runs pg_ctl stop -m fast; this one only says so
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Stopping PostgreSQL (data kept in {})", settings.postgresDirectory());
                            try {
                                postgres.close();
                            } catch (IOException e) {
                                log.error("Could not stop PostgreSQL cleanly", e);
                            }
                            stopped.countDown();
                        },
                        "dev-postgres-stop"));

        createDatabaseIfMissing(postgres, settings.database());
        String jdbcUrl = "jdbc:postgresql://localhost:" + settings.port() + "/" + settings.database();
        log.info("PostgreSQL {} is ready, data in {}", serverVersion(postgres), settings.postgresDirectory());
        // run.sh waits for this exact line
        System.out.println("DEV_POSTGRES_READY " + jdbcUrl + " (user postgres, no password)");
        System.out.flush();

        watchServer(settings, stopped);
    }

    /**
     * Keeps the process alive while the server runs; exits non-zero if PostgreSQL dies underneath us, so that
     * a supervisor (./run.sh, compose, Kubernetes) restarts it. A postmaster killed with SIGKILL leaves its pid
     * file behind, so the postmaster's process is watched, not only the file.
     */
    private static void watchServer(DevPostgresSettings settings, CountDownLatch stopped) throws InterruptedException {
        Path pidFile = settings.postgresDirectory().resolve("postmaster.pid");
        ProcessHandle postmaster = postmaster(pidFile);
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            boolean gone = !Files.exists(pidFile) || (postmaster != null && !postmaster.isAlive());
            if (gone && stopped.getCount() > 0) {
                log.error(
                        "PostgreSQL stopped unexpectedly (postmaster {} {}); see the log above",
                        postmaster == null ? "?" : postmaster.pid(),
                        Files.exists(pidFile) ? "is gone" : "left no " + pidFile);
                Runtime.getRuntime().halt(1); // not exit(): the shutdown hook would wait on a server that is gone
            }
        }
    }

    /** The postmaster named on the first line of postmaster.pid, or null if it cannot be read. */
    private static ProcessHandle postmaster(Path pidFile) {
        try (Stream<String> lines = Files.lines(pidFile)) {
            return lines.findFirst()
                    .map(String::trim)
                    .map(Long::parseLong)
                    .flatMap(ProcessHandle::of)
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot read the postmaster's pid from {}: {}", pidFile, e.toString());
            return null;
        }
    }

    private static void checkCanStart(DevPostgresSettings settings) {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException(
                    "PostgreSQL refuses to run as root. Start it through ./run.sh (which runs it as "
                            + "an unprivileged user), or yourself with e.g. `setpriv --reuid=nobody --regid=nogroup --clear-groups "
                            + "java -jar dev-postgres/target/dev-postgres-*.jar` after `chown -R nobody:nogroup "
                            + settings.dataDirectory() + "`.");
        }
        Path dataDir = settings.postgresDirectory();
        if (Files.isDirectory(dataDir) && !Files.exists(dataDir.resolve("postgresql.conf")) && !isEmpty(dataDir)) {
            throw new IllegalStateException(dataDir + " is not empty but holds no PostgreSQL cluster (an interrupted "
                    + "first start?). Move it away or delete it to start with a fresh database.");
        }
        // Without this check a server already listening on the port would answer zonky's readiness probe
        // and we would silently use someone else's database.
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()));
        } catch (IOException e) {
            throw new IllegalStateException("port " + settings.port() + " is already in use (another PostgreSQL, or a "
                    + "dev-postgres that is still running?). Stop it or choose another port with EMBEDDED_DB_PORT.");
        }
    }

    private static boolean isEmpty(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            // zonky's own lock file does not count as content
            return entries.allMatch(p -> p.getFileName().toString().equals("epg-lock"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres, String database) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                // the name is validated by DevPostgresSettings (lower-case identifier), so quoting is safe
                create.execute("CREATE DATABASE \"" + database + "\"");
            }
            log.info("Created database {}", database);
        }
    }

    private static String serverVersion(EmbeddedPostgres postgres) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW server_version")) {
            return rows.next() ? rows.getString(1) : "?";
        }
    }

    /** Settings from the environment; every one has a default. */
    record DevPostgresSettings(int port, Path dataDirectory, String database, Duration startupTimeout) {

        static final String HELP = """
                dev-postgres: PostgreSQL 16 for local development (used by ./run.sh)
                Environment:
                  EMBEDDED_DB_PORT          port on localhost (default 5433)
                  AFFECTUNE_DATA_DIR        data root; the cluster lives in <dir>/postgres (default ./.data)
                  EMBEDDED_DB_NAME          database created if missing (default affectune)
                  EMBEDDED_DB_START_TIMEOUT seconds to wait for the server (default 60)
                Must not run as root (PostgreSQL refuses); ./run.sh takes care of that.""";

        static DevPostgresSettings fromEnvironment(Map<String, String> env) {
            int port = intSetting(env, "EMBEDDED_DB_PORT", 5433);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("EMBEDDED_DB_PORT must be between 1 and 65535, got " + port);
            }
            Path dataDirectory = Path.of(env.getOrDefault("AFFECTUNE_DATA_DIR", ".data"))
                    .toAbsolutePath()
                    .normalize();
            String database = env.getOrDefault("EMBEDDED_DB_NAME", "affectune");
            if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("EMBEDDED_DB_NAME must be a lower-case identifier "
                        + "(letters, digits, _), got '" + database + "'");
            }
            int timeoutSeconds = intSetting(env, "EMBEDDED_DB_START_TIMEOUT", 60);
            return new DevPostgresSettings(
                    port, dataDirectory, database, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        }

        private static int intSetting(Map<String, String> env, String name, int defaultValue) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return defaultValue;
            }
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
            }
        }

        Path postgresDirectory() {
            return dataDirectory.resolve("postgres");
        }

        /** Where the PostgreSQL binaries are unpacked once (about 30 MB); must be writable by this user. */
        Path binariesDirectory() {
            return dataDirectory.resolve("postgres-runtime").resolve("binaries");
        }

        Path scratchDirectory() {
            return dataDirectory.resolve("postgres-runtime").resolve("work");
        }
    }
}
