package io.affectune.playlist.evaluation;

import io.affectune.playlist.PlaylistServiceApplication;
import io.affectune.playlist.SharedTestDatabase;
import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.feedback.FeedbackDtos.FeedbackRequest;
import io.affectune.playlist.feedback.FeedbackService;
import io.affectune.playlist.listener.ListenerService;
import io.affectune.playlist.playlist.PlaylistDtos.RankedTrack;
import io.affectune.playlist.playlist.PlaylistService;
import io.affectune.testsupport.PostgresTestDatabase;
import java.sql.Array;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Offline evaluation of the personal ranking with simulated listeners, run on the real service code
 * (PlaylistService, FeedbackService, ListenerService) over the real seeded catalogue in a fresh
 * PostgreSQL database.
 *
 * <p>Each simulated listener feels one emotion (the seven in turn) and has a hidden taste drawn from the
 * catalogue: a random track within {@link #TASTE_NEAR_TARGET} of the emotion's (valence, energy) target
 * gives a preferred point and one of its top-level genres (edm, latin, pop, r&b, rap, rock). A track fits
 * the listener when it has that genre and lies within {@link #TASTE_RADIUS} of the point. The listener
 * works down their playlist (15 tracks, re-fetched after every interaction) and likes the first track
 * they have not yet rated if it fits, else skips it (curated tracks without audio features never fit). Hit rate = share of the top 15 that fit, measured
 * after 0, 5, 10, 20 and 50 interactions.
 *
 * <p>Two arms per listener, each from the same clean state: "global" is today's behaviour (playlists
 * without X-Listener-Id; the listener's likes and skips still move the global tallies, as they always
 * did, and here they are the only feedback there is, the best case for the global ranking), "personal"
 * sends X-Listener-Id. After each arm the listener is forgotten (DELETE semantics), which also takes their
 * feedback out of the global tallies, so every arm starts from the same catalogue state.
 */
public final class PersonalRankingEvaluation {

    static final int[] CHECKPOINTS = {0, 5, 10, 20, 50};
    static final int PLAYLIST = 15;
    static final double TASTE_NEAR_TARGET = 0.3;
    static final double TASTE_RADIUS = 0.2;
    static final List<String> TOP_GENRES = List.of("edm", "latin", "pop", "r&b", "rap", "rock");

    /** Mean hit rate per checkpoint for both arms. */
    public record Result(int listeners, long seed, double[] global, double[] personal, long millis) {

        public String table() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(
                    Locale.ROOT,
                    "Simulated listeners: %d (seed %d), top %d, %.1f s%n%n",
                    listeners,
                    seed,
                    PLAYLIST,
                    millis / 1000.0));
            out.append("| interactions | global hit rate | personal hit rate | personal / global |\n");
            out.append("|---:|---:|---:|---:|\n");
            for (int i = 0; i < CHECKPOINTS.length; i++) {
                out.append(String.format(
                        Locale.ROOT,
                        "| %d | %.3f | %.3f | %s |%n",
                        CHECKPOINTS[i],
                        global[i],
                        personal[i],
                        global[i] == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", personal[i] / global[i])));
            }
            return out.toString();
        }

        public double global(int interactions) {
            return global[index(interactions)];
        }

        public double personal(int interactions) {
            return personal[index(interactions)];
        }

        private static int index(int interactions) {
            for (int i = 0; i < CHECKPOINTS.length; i++) {
                if (CHECKPOINTS[i] == interactions) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no checkpoint " + interactions);
        }
    }

    record Track(long id, Set<String> genres, double valence, double energy) {}

    record Taste(Emotion emotion, String genre, double valence, double energy) {
        boolean fits(Track t) {
            double dv = t.valence() - valence;
            double de = t.energy() - energy;
            return t.genres().contains(genre) && Math.sqrt(dv * dv + de * de) <= TASTE_RADIUS;
        }
    }

    private final PlaylistService playlists;
    private final FeedbackService feedback;
    private final ListenerService listeners;
    private final Map<Long, Track> catalogue = new HashMap<>();

    PersonalRankingEvaluation(ConfigurableApplicationContext context) {
        this.playlists = context.getBean(PlaylistService.class);
        this.feedback = context.getBean(FeedbackService.class);
        this.listeners = context.getBean(ListenerService.class);
        context.getBean(JdbcTemplate.class).query("""
                SELECT id, genres, valence, energy FROM track
                WHERE valence IS NOT NULL AND energy IS NOT NULL AND artist IS NOT NULL ORDER BY id
                """, rs -> {
            Array genres = rs.getArray(2);
            catalogue.put(
                    rs.getLong(1),
                    new Track(rs.getLong(1), Set.of((String[]) genres.getArray()), rs.getDouble(3), rs.getDouble(4)));
        });
    }

    /** Starts the service on a fresh, seeded database, runs the evaluation and drops the database. */
    public static Result run(int listenerCount, long seed) {
        try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
            Map<String, Object> properties = new HashMap<>(SharedTestDatabase.datasourceProperties(db));
            properties.put("spring.main.web-application-type", "none");
            String[] args = properties.entrySet().stream()
                    .map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
            try (ConfigurableApplicationContext context =
                    new SpringApplicationBuilder(PlaylistServiceApplication.class).run(args)) {
                return new PersonalRankingEvaluation(context).evaluate(listenerCount, seed);
            }
        }
    }

    Result evaluate(int listenerCount, long seed) {
        long started = System.currentTimeMillis();
        Random random = new Random(seed);
        List<Track> tracks = new ArrayList<>(catalogue.values());
        tracks.sort((a, b) -> Long.compare(a.id(), b.id()));
        double[] global = new double[CHECKPOINTS.length];
        double[] personal = new double[CHECKPOINTS.length];
        Emotion[] emotions = Emotion.values();
        for (int n = 0; n < listenerCount; n++) {
            Taste taste = drawTaste(emotions[n % emotions.length], tracks, random);
            add(global, simulate(taste, false));
            add(personal, simulate(taste, true));
        }
        for (int i = 0; i < CHECKPOINTS.length; i++) {
            global[i] /= listenerCount;
            personal[i] /= listenerCount;
        }
        return new Result(listenerCount, seed, global, personal, System.currentTimeMillis() - started);
    }

    private Taste drawTaste(Emotion emotion, List<Track> tracks, Random random) {
        while (true) {
            Track t = tracks.get(random.nextInt(tracks.size()));
            double dv = t.valence() - emotion.valence();
            double de = t.energy() - emotion.energy();
            List<String> genres =
                    TOP_GENRES.stream().filter(t.genres()::contains).toList();
            if (Math.sqrt(dv * dv + de * de) <= TASTE_NEAR_TARGET && !genres.isEmpty()) {
                return new Taste(emotion, genres.get(random.nextInt(genres.size())), t.valence(), t.energy());
            }
        }
    }

    /** Hit rates at each checkpoint for one listener in one arm; leaves no row behind. */
    private double[] simulate(Taste taste, boolean personalArm) {
        UUID listener = UUID.randomUUID();
        Optional<UUID> header = personalArm ? Optional.of(listener) : Optional.empty();
        double[] hits = new double[CHECKPOINTS.length];
        Set<Long> rated = new HashSet<>();
        try {
            int checkpoint = 0;
            for (int interactions = 0; checkpoint < CHECKPOINTS.length; interactions++) {
                List<RankedTrack> top = playlist(taste, PLAYLIST, header);
                if (interactions == CHECKPOINTS[checkpoint]) {
                    hits[checkpoint++] = hitRate(taste, top);
                    if (checkpoint == CHECKPOINTS.length) {
                        break;
                    }
                }
                Long next = firstUnrated(top, rated);
                if (next == null) {
                    next = firstUnrated(playlist(taste, 100, header), rated);
                }
                if (next == null) {
                    throw new IllegalStateException("no unrated track left for " + taste);
                }
                rated.add(next);
                Track track = catalogue.get(next); // null: a curated track whose audio features are unknown
                boolean fits = track != null && taste.fits(track);
                // the feedback always carries the listener id so it can be forgotten; the global arm's
                // playlists are requested without it, so only the global tallies shape them
                feedback.record(
                        new FeedbackRequest(next, taste.emotion().id(), fits ? "like" : "skip", "evaluation"),
                        Optional.of(listener));
            }
        } finally {
            listeners.forget(listener);
        }
        return hits;
    }

    private List<RankedTrack> playlist(Taste taste, int limit, Optional<UUID> listener) {
        return playlists
                .playlist(taste.emotion().id(), limit, "match", null, listener)
                .tracks();
    }

    private static Long firstUnrated(List<RankedTrack> tracks, Set<Long> rated) {
        return tracks.stream()
                .map(RankedTrack::id)
                .filter(id -> !rated.contains(id))
                .findFirst()
                .orElse(null);
    }

    private double hitRate(Taste taste, List<RankedTrack> top) {
        long fits = top.stream()
                .map(t -> catalogue.get(t.id()))
                .filter(t -> t != null && taste.fits(t))
                .count();
        return (double) fits / PLAYLIST;
    }

    private static void add(double[] sum, double[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }

    /** java ... PersonalRankingEvaluation [listeners=35] [seed=20261130] (on the test classpath). */
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 35;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261130L;
        System.out.println(run(count, seed).table());
    }
}
