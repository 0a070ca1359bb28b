package io.affectune.playlist.listener;

import io.affectune.playlist.emotion.Emotions;
import io.affectune.playlist.listener.ListenerDtos.ConsentRequest;
import io.affectune.playlist.listener.ListenerDtos.HistoryResponse;
import io.affectune.playlist.listener.ListenerDtos.ListenerResponse;
import io.affectune.playlist.listener.ListenerDtos.MoodRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/listeners/{id}")
@Tag(
        name = "Listeners",
        description = "A listener is a random UUID kept by the client (no account, no personal data): "
                + "history consent, history, and forget-me. The id is the only key: keep it private.")
public class ListenerController {

    private static final String ID = "the listener's UUID (the dashboard keeps it in localStorage)";

    private final ListenerService service;
    private final HistoryProperties settings;

    public ListenerController(ListenerService service, HistoryProperties settings) {
        this.service = service;
        this.settings = settings;
    }

    @GetMapping
    @Operation(summary = "Whether history is kept for this listener (off for an id never seen)")
    public ListenerResponse get(@Parameter(description = ID) @PathVariable String id) {
        return ListenerResponse.of(service.get(ListenerIds.require(id)), settings.retention());
    }

    @PutMapping("/consent")
    @Operation(
            summary = "Turn history on or off",
            description = "{\"history\": true} keeps settled moods and the tracks shown, liked and skipped for "
                    + "HISTORY_RETENTION (30 days by default); false stops that and deletes the history kept so far.")
    public ListenerResponse consent(
            @Parameter(description = ID) @PathVariable String id, @Valid @RequestBody ConsentRequest request) {
        return ListenerResponse.of(
                service.setConsent(ListenerIds.require(id), request.history()), settings.retention());
    }

    @PostMapping("/history/moods")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Record a settled mood in the listener's history (409 when history is off)")
    public void mood(@Parameter(description = ID) @PathVariable String id, @Valid @RequestBody MoodRequest request) {
        service.recordMood(ListenerIds.require(id), Emotions.require(request.emotion()));
    }

    @GetMapping("/history")
    @Operation(
            summary = "The listener's history within the retention period, newest first",
            description = "Settled moods (also counted per UTC day), liked and skipped tracks and the playlists shown; "
                    + "at most " + ListenerService.MAX_HISTORY_EVENTS + " events. Empty while history is off.")
    public HistoryResponse history(@Parameter(description = ID) @PathVariable String id) {
        return HistoryResponse.of(service.history(ListenerIds.require(id)));
    }

    @DeleteMapping
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(
            summary = "Forget me: delete every row about this listener in one transaction",
            description = "History, likes and skips (also taken out of the global tallies) and the listener row. "
                    + "204 also for an id that was never stored.")
    public void forget(@Parameter(description = ID) @PathVariable String id) {
        service.forget(ListenerIds.require(id));
    }
}
