package io.affectune.playlist.playlist;

import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.emotion.Emotions;
import io.affectune.playlist.listener.ListenerService;
import io.affectune.playlist.playlist.PlaylistDtos.PlaylistResponse;
import io.affectune.playlist.playlist.PlaylistDtos.RankedTrack;
import io.affectune.playlist.playlist.PlaylistDtos.Target;
import io.affectune.support.problem.ApiProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * A playlist request end to end: validation, candidates around the mood's target (and, for a listener,
 * around what they liked), the global ranking plus the listener's personal term, and the "shown" history
 * event for a listener who consented to history.
 */
@Service
public class PlaylistService {

    static final int MAX_LIMIT = 100;
    static final int MAX_EXCLUDE = 500;

    private final CandidateRepository candidates;
    private final PlaylistRanker ranker;
    private final RankingProperties settings;
    private final PersonalSignals personalSignals;
    private final PersonalRankingProperties personal;
    private final ListenerService listeners;

    PlaylistService(
            CandidateRepository candidates,
            PlaylistRanker ranker,
            RankingProperties settings,
            PersonalSignals personalSignals,
            PersonalRankingProperties personal,
            ListenerService listeners) {
        this.candidates = candidates;
        this.ranker = ranker;
        this.settings = settings;
        this.personalSignals = personalSignals;
        this.personal = personal;
        this.listeners = listeners;
    }

    public PlaylistResponse playlist(String emotionText, int limit, String strategyText, String excludeText) {
        return playlist(emotionText, limit, strategyText, excludeText, Optional.empty());
    }

    public PlaylistResponse playlist(
            String emotionText, int limit, String strategyText, String excludeText, Optional<UUID> listener) {
        Emotion emotion = Emotions.require(emotionText);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiProblem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", not " + limit + ".");
        }
        Strategy strategy = Strategy.parse(strategyText);
        Set<Long> excluded = parseExclude(excludeText);
        Target start = ranker.start(emotion);
        Target goal = ranker.goal(emotion, strategy);
        int perPoint = Math.max(settings.candidatePool(), limit * 4);
        PersonalSignals.Signals own =
                listener.map(id -> personalSignals.of(id, emotion.id())).orElse(null);
        PersonalProfile profile = own == null ? PersonalProfile.NONE : profile(own.tallies());
        List<Target> points = new ArrayList<>(ranker.queryPoints(start, goal));
        if (personal.neighbourhood()) {
            profile.likedCentre().filter(p -> !points.contains(p)).ifPresent(points::add);
        }
        List<Candidate> pool = candidates.find(emotion.id(), points, perPoint, excluded);
        List<RankedTrack> tracks = ranker.rank(emotion, pool, ranker.slotTargets(start, goal, limit), profile);
        if (own != null && own.historyConsent()) {
            // the insert checks consent again in the same statement: withdrawn a moment ago means not kept
            listeners.recordShownIfConsented(
                    listener.get(),
                    emotion,
                    tracks.stream().map(RankedTrack::id).toList());
        }
        return new PlaylistResponse(emotion.id(), strategy.id(), start, goal, tracks);
    }

    private PersonalProfile profile(Map<Long, int[]> own) {
        if (own.isEmpty()) {
            return PersonalProfile.NONE;
        }
        Map<Long, Candidate> tracks = candidates.tracks(own.keySet());
        List<Candidate> liked = new ArrayList<>();
        List<Candidate> skipped = new ArrayList<>();
        // sorted by id so the same feedback always gives the same sums (and the same playlist)
        own.keySet().stream().sorted().forEach(id -> {
            int[] tally = own.get(id);
            Candidate track = tracks.get(id);
            if (track != null && tally[0] != tally[1]) {
                (tally[0] > tally[1] ? liked : skipped).add(track);
            }
        });
        return new PersonalProfile(Map.copyOf(own), List.copyOf(liked), List.copyOf(skipped));
    }

    static Set<Long> parseExclude(String text) {
        Set<Long> ids = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            return ids;
        }
        for (String part : text.split(",")) {
            String id = part.trim();
            if (id.isEmpty()) {
                continue;
            }
            if (!id.matches("\\d{1,18}")) {
                throw ApiProblem.badRequest("exclude must be comma-separated track ids (whole numbers); '"
                        + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "' is not one.");
            }
            ids.add(Long.parseLong(id));
        }
        if (ids.size() > MAX_EXCLUDE) {
            throw ApiProblem.badRequest(
                    "exclude may list at most " + MAX_EXCLUDE + " track ids, not " + ids.size() + ".");
        }
        return ids;
    }
}
