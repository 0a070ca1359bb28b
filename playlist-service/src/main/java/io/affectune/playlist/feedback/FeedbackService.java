package io.affectune.playlist.feedback;

import io.affectune.playlist.catalog.TrackRepository;
import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.emotion.Emotions;
import io.affectune.playlist.feedback.FeedbackDtos.FeedbackRequest;
import io.affectune.playlist.feedback.FeedbackDtos.FeedbackResponse;
import io.affectune.playlist.listener.ListenerService;
import io.affectune.playlist.playlist.RankingSignals;
import io.affectune.support.problem.ApiProblem;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class FeedbackService {

    private final FeedbackRepository feedback;
    private final TrackRepository tracks;
    private final RankingSignals signals;
    private final ListenerService listeners;

    public FeedbackService(
            FeedbackRepository feedback, TrackRepository tracks, RankingSignals signals, ListenerService listeners) {
        this.feedback = feedback;
        this.tracks = tracks;
        this.signals = signals;
        this.listeners = listeners;
    }

    /**
     * Stores the signal and folds it into the per-(emotion, track) tally that ranking reads; with a listener
     * also into that listener's own tally (personal ranking) and, if they consented, their history.
     */
    @Transactional
    public FeedbackResponse record(FeedbackRequest request, Optional<UUID> listener) {
        Emotion emotion = Emotions.require(request.emotion());
        String signal = request.signal().trim().toLowerCase(Locale.ROOT);
        if (!signal.equals("like") && !signal.equals("skip")) {
            throw ApiProblem.badRequest("signal must be 'like' or 'skip', not '" + request.signal() + "'.");
        }
        if (!tracks.existsById(request.trackId())) {
            throw ApiProblem.notFound("No track with id " + request.trackId() + ".");
        }
        String session = request.sessionId() == null || request.sessionId().isBlank() ? null : request.sessionId();
        int likes = signal.equals("like") ? 1 : 0;
        int skips = 1 - likes;
        listener.ifPresent(listeners::ensure);
        Feedback saved =
                feedback.save(new Feedback(request.trackId(), emotion.id(), signal, session, listener.orElse(null)));
        feedback.addToTally(emotion.id(), request.trackId(), likes, skips);
        listener.ifPresent(id -> {
            feedback.addToListenerTally(id, emotion.id(), request.trackId(), likes, skips);
            listeners.recordFeedbackIfConsented(id, emotion, signal, request.trackId());
        });
        signals.changed(emotion.id());
        return FeedbackResponse.of(saved);
    }
}
