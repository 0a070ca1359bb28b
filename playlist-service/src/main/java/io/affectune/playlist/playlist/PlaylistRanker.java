package io.affectune.playlist.playlist;

import io.affectune.playlist.catalog.TrackView;
import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.playlist.PlaylistDtos.RankedTrack;
import io.affectune.playlist.playlist.PlaylistDtos.Reason;
import io.affectune.playlist.playlist.PlaylistDtos.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Turns candidates into a playlist. Each slot has a target point on the valence/energy plane (all
 * the same for "match"; a straight path from the mood toward positive valence for "uplift"), and
 * takes the best remaining candidate for it, where
 * score = exp(-d^2 / 2 sigma^2) + curated bonus + feedback weight * tanh((likes - skips) / scale),
 * subject to at most maxPerArtist tracks per artist and one version of a song (same title and
 * artist). Ties go to the lower track id, so the same inputs give the same playlist.
 *
 * <p>For a listener with feedback for the emotion a personal term is added (see {@link #personal}): their
 * own skips sink a track by RANKING_PERSONAL_SKIP_PENALTY, their own likes lift it, and tracks similar to
 * what they liked (or skipped) in audio features and genres rise (or fall) by up to the similarity weight.
 * Without such feedback the term is zero: a new listener gets exactly the global ranking.
 */
@Component
class PlaylistRanker {

    /** A personal similarity at least this large counts as "similar" in the reason text. */
    static final double SIMILAR = 0.2;

    private final RankingProperties settings;
    private final PersonalRankingProperties personal;

    PlaylistRanker(RankingProperties settings, PersonalRankingProperties personal) {
        this.settings = settings;
        this.personal = personal;
    }

    /** The personal part of a candidate's score, and the counts its reason text reports. */
    record PersonalEffect(double value, int ownLikes, int ownSkips, int similarLiked, int similarSkipped) {
        static final PersonalEffect NONE = new PersonalEffect(0, 0, 0, 0, 0);
    }

    Target start(Emotion emotion) {
        return new Target(emotion.valence(), emotion.energy());
    }

    Target goal(Emotion emotion, Strategy strategy) {
        Target start = start(emotion);
        if (strategy == Strategy.MATCH) {
            return start;
        }
        double share = settings.upliftShare();
        // Only ever move valence up: a listener who is already happy is not pulled down toward the goal.
        double valence =
                Math.max(start.valence(), start.valence() + (settings.upliftValenceGoal() - start.valence()) * share);
        double energy = start.energy() + (settings.upliftEnergyGoal() - start.energy()) * share;
        return new Target(round(valence), round(energy));
    }

    /** The target of each slot: the start for "match"; evenly spaced from start to goal for "uplift". */
    List<Target> slotTargets(Target start, Target goal, int limit) {
        List<Target> targets = new ArrayList<>(limit);
        for (int i = 0; i < limit; i++) {
            double t = limit == 1 ? 0 : (double) i / (limit - 1);
            targets.add(new Target(
                    start.valence() + (goal.valence() - start.valence()) * t,
                    start.energy() + (goal.energy() - start.energy()) * t));
        }
        return targets;
    }

    /** Points around which candidates are fetched: enough to cover every slot target. */
    List<Target> queryPoints(Target start, Target goal) {
        if (start.equals(goal)) {
            return List.of(start);
        }
        Target middle = new Target((start.valence() + goal.valence()) / 2, (start.energy() + goal.energy()) / 2);
        return List.of(start, middle, goal);
    }

    List<RankedTrack> rank(Emotion emotion, List<Candidate> candidates, List<Target> slots) {
        return rank(emotion, candidates, slots, PersonalProfile.NONE);
    }

    List<RankedTrack> rank(Emotion emotion, List<Candidate> candidates, List<Target> slots, PersonalProfile profile) {
        Map<Long, PersonalEffect> effects = personalEffects(candidates, profile);
        // Per candidate, once: the parts of the score that do not depend on the slot, and artist and song as
        // small integers, so the slot loop (slots x candidates) does no string work and no boxing.
        int n = candidates.size();
        double[] fixed = new double[n];
        int[] artist = new int[n];
        int[] song = new int[n];
        Map<String, Integer> artistIds = new HashMap<>(n * 2);
        Map<String, Integer> songIds = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            PersonalEffect effect = effects.get(c.id());
            fixed[i] = (c.curated() ? settings.curatedBonus() : 0)
                    + feedbackEffect(c)
                    + (effect == null ? 0 : effect.value());
            artist[i] = artistIds.computeIfAbsent(c.artistKey(), k -> artistIds.size());
            song[i] = songIds.computeIfAbsent(c.matchKey(), k -> songIds.size());
        }
        int[] perArtist = new int[artistIds.size()];
        boolean[] songUsed = new boolean[songIds.size()];
        boolean[] taken = new boolean[n];
        double[] scores = new double[n];
        boolean path = slots.size() > 1 && !slots.get(0).equals(slots.get(slots.size() - 1));
        List<RankedTrack> playlist = new ArrayList<>(slots.size());
        Target scored = null;
        for (Target slot : slots) {
            if (!slot.equals(scored)) {
                // "match" has one target for all slots: score each candidate once, not once per slot
                for (int i = 0; i < n; i++) {
                    if (!taken[i]) {
                        Candidate c = candidates.get(i);
                        scores[i] = (c.hasFeatures()
                                        ? closeness(slot.distanceTo(c.valence(), c.energy()))
                                        : settings.unknownFeatureScore())
                                + fixed[i];
                    }
                }
                scored = slot;
            }
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (taken[i] || perArtist[artist[i]] >= settings.maxPerArtist() || songUsed[song[i]]) {
                    continue;
                }
                double score = scores[i];
                if (score > bestScore
                        || (score == bestScore
                                && best >= 0
                                && candidates.get(i).id() < candidates.get(best).id())) {
                    best = i;
                    bestScore = score;
                }
            }
            if (best < 0) {
                break;
            }
            taken[best] = true;
            perArtist[artist[best]]++;
            songUsed[song[best]] = true;
            Candidate chosen = candidates.get(best);
            playlist.add(toRanked(
                    emotion, chosen, slot, bestScore, path, effects.getOrDefault(chosen.id(), PersonalEffect.NONE)));
        }
        return playlist;
    }

    double score(Candidate c, Target target) {
        double closeness = c.hasFeatures()
                ? closeness(target.distanceTo(c.valence(), c.energy()))
                : settings.unknownFeatureScore();
        return closeness + (c.curated() ? settings.curatedBonus() : 0) + feedbackEffect(c);
    }

    private Map<Long, PersonalEffect> personalEffects(List<Candidate> candidates, PersonalProfile profile) {
        if (profile.isEmpty()) {
            return Map.of();
        }
        long[] likedGenres = profile.liked().stream()
                .mapToLong(c -> GenreBits.of(c.genres()))
                .toArray();
        long[] skippedGenres = profile.skipped().stream()
                .mapToLong(c -> GenreBits.of(c.genres()))
                .toArray();
        Map<Long, PersonalEffect> effects = new HashMap<>(candidates.size() * 2);
        for (Candidate c : candidates) {
            PersonalEffect effect = personal(c, GenreBits.of(c.genres()), profile, likedGenres, skippedGenres);
            if (effect.value() != 0 || effect.ownLikes() > 0 || effect.ownSkips() > 0) {
                effects.put(c.id(), effect);
            }
        }
        return effects;
    }

    /**
     * own = skipPenalty below (or likeBonus above) for a track the listener skipped (liked) more often than
     * liked (skipped); similar = similarityWeight * (L - S) / (L + S + 1), where L and S sum the similarity of the
     * track to each liked and skipped track, similarity = exp(-d^2 / 2 w^2) (valence/energy distance d) times
     * the Jaccard overlap of their genres. The +1 keeps one like from acting like many.
     */
    PersonalEffect personal(
            Candidate c, long genres, PersonalProfile profile, long[] likedGenres, long[] skippedGenres) {
        int[] own = profile.own().get(c.id());
        double value = 0;
        int ownLikes = own == null ? 0 : own[0];
        int ownSkips = own == null ? 0 : own[1];
        if (ownSkips > ownLikes) {
            value -= personal.skipPenalty();
        } else if (ownLikes > ownSkips) {
            value += personal.likeBonus();
        }
        Pull liked = pull(c, genres, profile.liked(), likedGenres);
        Pull skipped = pull(c, genres, profile.skipped(), skippedGenres);
        value += personal.similarityWeight() * (liked.sum() - skipped.sum()) / (liked.sum() + skipped.sum() + 1);
        return new PersonalEffect(value, ownLikes, ownSkips, liked.similar(), skipped.similar());
    }

    /** Summed similarity of c to each of the other tracks (itself excluded), and how many count as similar. */
    private record Pull(double sum, int similar) {}

    private Pull pull(Candidate c, long genres, List<Candidate> others, long[] otherGenres) {
        double sum = 0;
        int similar = 0;
        for (int i = 0; i < otherGenres.length; i++) {
            Candidate other = others.get(i);
            if (other.id() != c.id()) {
                double s = similarity(c, genres, other, otherGenres[i]);
                sum += s;
                similar += s >= SIMILAR ? 1 : 0;
            }
        }
        return new Pull(sum, similar);
    }

    private double similarity(Candidate a, long aGenres, Candidate b, long bGenres) {
        double genre = GenreBits.jaccard(aGenres, bGenres);
        if (genre == 0) {
            return 0;
        }
        if (!a.hasFeatures() || !b.hasFeatures()) {
            return genre * settings.unknownFeatureScore();
        }
        double dv = a.valence() - b.valence();
        double de = a.energy() - b.energy();
        double w = personal.similarityWidth();
        return genre * Math.exp(-(dv * dv + de * de) / (2 * w * w));
    }

    double closeness(double distance) {
        double sigma = settings.featureSigma();
        return Math.exp(-(distance * distance) / (2 * sigma * sigma));
    }

    double feedbackEffect(Candidate c) {
        int net = c.likes() - c.skips();
        return net == 0 ? 0 : settings.feedbackWeight() * Math.tanh(net / settings.feedbackScale());
    }

    private RankedTrack toRanked(
            Emotion emotion, Candidate c, Target slot, double score, boolean path, PersonalEffect effect) {
        Double distance = c.hasFeatures() ? round(slot.distanceTo(c.valence(), c.energy())) : null;
        String where = path
                ? String.format(
                        Locale.ROOT,
                        "this step's target (%.2f, %.2f) on the way up from %s",
                        slot.valence(),
                        slot.energy(),
                        emotion.id())
                : String.format(Locale.ROOT, "the %s target (%.2f, %.2f)", emotion.id(), slot.valence(), slot.energy());
        StringBuilder text = new StringBuilder();
        if (c.curated()) {
            text.append("On a curated ").append(emotion.id()).append(" playlist");
            if (distance != null) {
                text.append(String.format(
                        Locale.ROOT,
                        "; valence %.2f, energy %.2f is %.3f from %s",
                        c.valence(),
                        c.energy(),
                        distance,
                        where));
            } else {
                text.append("; its audio features are unknown");
            }
        } else {
            text.append(String.format(
                    Locale.ROOT,
                    "Valence %.2f, energy %.2f is %.3f from %s",
                    c.valence(),
                    c.energy(),
                    distance,
                    where));
        }
        if (c.likes() > 0 || c.skips() > 0) {
            text.append(String.format(
                    Locale.ROOT,
                    "; listeners feeling %s liked it %d and skipped it %d time(s)",
                    emotion.id(),
                    c.likes(),
                    c.skips()));
        }
        appendPersonal(text, effect);
        Reason reason = new Reason(c.curated() ? "curated" : "features", distance, text.toString());
        return new RankedTrack(
                c.id(),
                c.spotifyId(),
                c.title(),
                c.artist(),
                c.album(),
                TrackView.spotifyUrl(c.spotifyId()),
                c.genres(),
                c.valence(),
                c.energy(),
                round(score),
                reason);
    }

    /** "you liked it", "you skipped it", "you liked 3 similar tracks", "you skipped 2 similar tracks". */
    private static void appendPersonal(StringBuilder text, PersonalEffect effect) {
        List<String> parts = new ArrayList<>(3);
        if (effect.ownSkips() > effect.ownLikes()) {
            parts.add("you skipped it, so it sinks for you");
        } else if (effect.ownLikes() > effect.ownSkips()) {
            parts.add("you liked it");
        }
        if (effect.similarLiked() > 0) {
            parts.add(
                    "you liked " + effect.similarLiked() + " similar track" + (effect.similarLiked() == 1 ? "" : "s"));
        }
        if (effect.similarSkipped() > 0) {
            parts.add("you skipped " + effect.similarSkipped() + " similar track"
                    + (effect.similarSkipped() == 1 ? "" : "s"));
        }
        if (!parts.isEmpty()) {
            text.append("; ").append(String.join(", ", parts));
        }
    }

    private static double round(double value) {
        return Math.round(value * 10_000d) / 10_000d;
    }
}
