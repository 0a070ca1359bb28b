package io.affectune.playlist.playlist;

import io.affectune.playlist.catalog.TrackView;
import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.playlist.PlaylistDtos.RankedTrack;
import io.affectune.playlist.playlist.PlaylistDtos.Reason;
import io.affectune.playlist.playlist.PlaylistDtos.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Turns candidates into a playlist. Each slot has a target point on the valence/energy plane (all
 * the same for "match"; a straight path from the mood toward positive valence for "uplift"), and
 * takes the best remaining candidate for it, where
 * score = exp(-d^2 / 2 sigma^2) + curated bonus + feedback weight * tanh((likes - skips) / scale),
 * subject to at most maxPerArtist tracks per artist and one version of a song (same title and
 * artist). Ties go to the lower track id, so the same inputs give the same playlist.
 */
@Component
class PlaylistRanker {

    private final RankingProperties settings;

    PlaylistRanker(RankingProperties settings) {
        this.settings = settings;
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
        double valence = Math.max(start.valence(),
                start.valence() + (settings.upliftValenceGoal() - start.valence()) * share);
        double energy = start.energy() + (settings.upliftEnergyGoal() - start.energy()) * share;
        return new Target(round(valence), round(energy));
    }

    /** The target of each slot: the start for "match"; evenly spaced from start to goal for "uplift". */
    List<Target> slotTargets(Target start, Target goal, int limit) {
        List<Target> targets = new ArrayList<>(limit);
        for (int i = 0; i < limit; i++) {
            double t = limit == 1 ? 0 : (double) i / (limit - 1);
            targets.add(new Target(start.valence() + (goal.valence() - start.valence()) * t,
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
        List<Candidate> remaining = new ArrayList<>(candidates);
        Map<String, Integer> perArtist = new HashMap<>();
        Set<String> songs = new HashSet<>();
        List<RankedTrack> playlist = new ArrayList<>(slots.size());
        Map<Long, Double> scores = new HashMap<>(remaining.size() * 2);
        Target scored = null;
        for (Target slot : slots) {
            if (!slot.equals(scored)) {
                // "match" has one target for all slots: score each candidate once, not once per slot
                scores.clear();
                for (Candidate c : remaining) {
                    scores.put(c.id(), score(c, slot));
                }
                scored = slot;
            }
            Candidate best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (Candidate c : remaining) {
                if (perArtist.getOrDefault(c.artistKey(), 0) >= settings.maxPerArtist() || songs.contains(c.matchKey())) {
                    continue;
                }
                double score = scores.get(c.id());
                if (score > bestScore || (score == bestScore && best != null && c.id() < best.id())) {
                    best = c;
                    bestScore = score;
                }
            }
            if (best == null) {
                break;
            }
            remaining.remove(best);
            perArtist.merge(best.artistKey(), 1, Integer::sum);
            songs.add(best.matchKey());
            playlist.add(toRanked(emotion, best, slot, bestScore, slots.size() > 1 && !slots.get(0).equals(slots.get(slots.size() - 1))));
        }
        return playlist;
    }

    double score(Candidate c, Target target) {
        double closeness = c.hasFeatures() ? closeness(target.distanceTo(c.valence(), c.energy()))
                : settings.unknownFeatureScore();
        return closeness + (c.curated() ? settings.curatedBonus() : 0) + feedbackEffect(c);
    }

    double closeness(double distance) {
        double sigma = settings.featureSigma();
        return Math.exp(-(distance * distance) / (2 * sigma * sigma));
    }

    double feedbackEffect(Candidate c) {
        int net = c.likes() - c.skips();
        return net == 0 ? 0 : settings.feedbackWeight() * Math.tanh(net / settings.feedbackScale());
    }

    private RankedTrack toRanked(Emotion emotion, Candidate c, Target slot, double score, boolean path) {
        Double distance = c.hasFeatures() ? round(slot.distanceTo(c.valence(), c.energy())) : null;
        String where = path
                ? String.format(Locale.ROOT, "this step's target (%.2f, %.2f) on the way up from %s",
                        slot.valence(), slot.energy(), emotion.id())
                : String.format(Locale.ROOT, "the %s target (%.2f, %.2f)", emotion.id(), slot.valence(), slot.energy());
        StringBuilder text = new StringBuilder();
        if (c.curated()) {
            text.append("On a curated ").append(emotion.id()).append(" playlist");
            if (distance != null) {
                text.append(String.format(Locale.ROOT, "; valence %.2f, energy %.2f is %.3f from %s",
                        c.valence(), c.energy(), distance, where));
            } else {
                text.append("; its audio features are unknown");
            }
        } else {
            text.append(String.format(Locale.ROOT, "Valence %.2f, energy %.2f is %.3f from %s",
                    c.valence(), c.energy(), distance, where));
        }
        if (c.likes() > 0 || c.skips() > 0) {
            text.append(String.format(Locale.ROOT, "; listeners feeling %s liked it %d and skipped it %d time(s)",
                    emotion.id(), c.likes(), c.skips()));
        }
        Reason reason = new Reason(c.curated() ? "curated" : "features", distance, text.toString());
        return new RankedTrack(c.id(), c.spotifyId(), c.title(), c.artist(), c.album(),
                TrackView.spotifyUrl(c.spotifyId()), c.genres(), c.valence(), c.energy(), round(score), reason);
    }

    private static double round(double value) {
        return Math.round(value * 10_000d) / 10_000d;
    }
}
