package io.affectune.playlist.listener;

import io.affectune.playlist.emotion.Emotion;
import io.affectune.support.problem.ApiProblem;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Consent, history and forget-me for listeners. A listener is only a random id: nothing here knows who
 * the person is. History is opt-in (off until PUT .../consent says otherwise), bounded by
 * HISTORY_RETENTION, and withdrawing consent deletes what was kept.
 */
@Service
public class ListenerService {

    /** The most history events one GET returns (newest first). */
    public static final int MAX_HISTORY_EVENTS = 2000;

    private static final Logger log = LoggerFactory.getLogger(ListenerService.class);

    private final ListenerRepository listeners;
    private final HistoryProperties settings;
    private final ApplicationEventPublisher events;

    ListenerService(ListenerRepository listeners, HistoryProperties settings, ApplicationEventPublisher events) {
        this.listeners = listeners;
        this.settings = settings;
        this.events = events;
    }

    /** A listener's stored state; one never seen before has no row and history off. */
    public Listener get(UUID id) {
        return listeners.find(id).orElse(new Listener(id, false, null, null));
    }

    /** Turns history on or off; turning it off deletes the history kept so far, in the same transaction. */
    @Transactional
    public Listener setConsent(UUID id, boolean consent) {
        Listener listener = listeners.setConsent(id, consent);
        if (!consent) {
            listeners.deleteHistory(id);
        }
        return listener;
    }

    /** Records a settled mood; a 409 problem when the listener has not consented to history. */
    @Transactional
    public void recordMood(UUID id, Emotion emotion) {
        if (!listeners.recordIfConsented(id, "mood", emotion.id(), List.of())) {
            throw new ApiProblem(
                    HttpStatus.CONFLICT,
                    "History is off",
                    "History is off for this listener, so the mood was not kept. Turn it on first with "
                            + "PUT /api/v1/listeners/" + id + "/consent {\"history\": true}.");
        }
    }

    /** Records the tracks a playlist showed, if (and only if) the listener consented (one statement). */
    public void recordShownIfConsented(UUID id, Emotion emotion, List<Long> trackIds) {
        listeners.recordIfConsented(id, "shown", emotion.id(), trackIds);
    }

    /** Records a like or skip in the history, if the listener consented (the caller's transaction). */
    public void recordFeedbackIfConsented(UUID id, Emotion emotion, String signal, long trackId) {
        listeners.recordIfConsented(id, signal, emotion.id(), List.of(trackId));
    }

    /** Makes sure the listener has a row (the caller's transaction). */
    public void ensure(UUID id) {
        listeners.ensure(id);
    }

    /** The history kept within the retention period (older rows may wait for the job, but are never shown). */
    @Transactional(readOnly = true)
    public ListenerHistory history(UUID id) {
        Listener listener = get(id);
        Instant since = Instant.now().minus(settings.retention());
        return new ListenerHistory(
                listener, settings.retention(), since, listeners.history(id, since, MAX_HISTORY_EVENTS));
    }

    /** Removes every row about the listener in one transaction; unknown ids are fine (nothing to remove). */
    @Transactional
    public void forget(UUID id) {
        ListenerRepository.Forgotten forgotten = listeners.forget(id);
        events.publishEvent(new ListenerForgotten(id));
        log.info(
                "Forgot a listener: existed={}, history events={}, personal tallies={}, feedback events={}, "
                        + "global tallies adjusted={}",
                forgotten.existed(),
                forgotten.historyEvents(),
                forgotten.personalTallies(),
                forgotten.feedbackEvents(),
                forgotten.globalTalliesAdjusted());
    }

    /** Deletes history older than the retention period; returns how many rows went. */
    @Transactional
    public int deleteExpiredHistory() {
        return listeners.deleteHistoryBefore(Instant.now().minus(settings.retention()));
    }

    /** A listener's history as returned by GET .../history. */
    public record ListenerHistory(
            Listener listener, java.time.Duration retention, Instant since, List<HistoryEvent> events) {}
}
