package io.affectune.playlist.playlist;

import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.emotion.Emotions;
import io.affectune.playlist.playlist.PlaylistDtos.PlaylistResponse;
import io.affectune.playlist.playlist.PlaylistDtos.RankedTrack;
import io.affectune.playlist.playlist.PlaylistDtos.Target;
import io.affectune.playlist.web.ApiException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;

@Service
public class PlaylistService {

    static final int MAX_LIMIT = 100;
    static final int MAX_EXCLUDE = 500;

    private final CandidateRepository candidates;
    private final PlaylistRanker ranker;
    private final RankingProperties settings;

    PlaylistService(CandidateRepository candidates, PlaylistRanker ranker, RankingProperties settings) {
        this.candidates = candidates;
        this.ranker = ranker;
        this.settings = settings;
    }

    public PlaylistResponse playlist(String emotionText, int limit, String strategyText, String excludeText) {
        Emotion emotion = Emotions.require(emotionText);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", not " + limit + ".");
        }
        Strategy strategy = Strategy.parse(strategyText);
        Set<Long> excluded = parseExclude(excludeText);
        Target start = ranker.start(emotion);
        Target goal = ranker.goal(emotion, strategy);
        int perPoint = Math.max(settings.candidatePool(), limit * 4);
        List<Candidate> pool = candidates.find(emotion.id(), ranker.queryPoints(start, goal), perPoint, excluded);
        List<RankedTrack> tracks = ranker.rank(emotion, pool, ranker.slotTargets(start, goal, limit));
        return new PlaylistResponse(emotion.id(), strategy.id(), start, goal, tracks);
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
                throw ApiException.badRequest("exclude must be comma-separated track ids (whole numbers); '"
                        + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "' is not one.");
            }
            ids.add(Long.parseLong(id));
        }
        if (ids.size() > MAX_EXCLUDE) {
            throw ApiException.badRequest("exclude may list at most " + MAX_EXCLUDE + " track ids, not " + ids.size() + ".");
        }
        return ids;
    }
}
