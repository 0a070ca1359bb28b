package io.affectune.playlist.feedback;

import io.affectune.playlist.catalog.TrackRepository;
import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.emotion.Emotions;
import io.affectune.playlist.feedback.FeedbackDtos.FeedbackRequest;
import io.affectune.playlist.feedback.FeedbackDtos.FeedbackResponse;
import io.affectune.playlist.playlist.RankingSignals;
import io.affectune.playlist.web.ApiException;
import java.util.Locale;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class FeedbackService {

    private final FeedbackRepository feedback;
    private final TrackRepository tracks;
    private final RankingSignals signals;

    public FeedbackService(FeedbackRepository feedback, TrackRepository tracks, RankingSignals signals) {
        this.feedback = feedback;
        this.tracks = tracks;
        this.signals = signals;
    }

    /** Stores the signal and folds it into the per-(emotion, track) tally that ranking reads. */
    @Transactional
    public FeedbackResponse record(FeedbackRequest request) {
        Emotion emotion = Emotions.require(request.emotion());
        String signal = request.signal().trim().toLowerCase(Locale.ROOT);
        if (!signal.equals("like") && !signal.equals("skip")) {
            throw ApiException.badRequest("signal must be 'like' or 'skip', not '" + request.signal() + "'.");
        }
        if (!tracks.existsById(request.trackId())) {
            throw ApiException.notFound("No track with id " + request.trackId() + ".");
        }
        String session = request.sessionId() == null || request.sessionId().isBlank() ? null : request.sessionId();
        Feedback saved = feedback.save(new Feedback(request.trackId(), emotion.id(), signal, session));
        feedback.addToTally(emotion.id(), request.trackId(), signal.equals("like") ? 1 : 0, signal.equals("skip") ? 1 : 0);
        signals.changed(emotion.id());
        return FeedbackResponse.of(saved);
    }
}
