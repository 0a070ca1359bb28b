package io.affectune.playlist.feedback;

import io.affectune.playlist.feedback.FeedbackDtos.FeedbackRequest;
import io.affectune.playlist.feedback.FeedbackDtos.FeedbackResponse;
import io.affectune.playlist.listener.ListenerIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/feedback")
@Tag(name = "Feedback", description = "Likes and skips that shape later playlists for the same emotion")
public class FeedbackController {

    private final FeedbackService service;

    public FeedbackController(FeedbackService service) {
        this.service = service;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(
            summary = "Record that a listener liked or skipped a track while feeling an emotion",
            description = "Moves the track for everyone feeling that emotion (bounded); with X-Listener-Id it also "
                    + "shapes that listener's own playlists (their skips sink the track for them, their likes lift it "
                    + "and similar tracks) and, if they turned history on, enters their history.")
    public FeedbackResponse record(
            @Parameter(description = "the listener's random UUID; optional")
                    @RequestHeader(value = ListenerIds.HEADER, required = false)
                    String listenerId,
            @Valid @RequestBody FeedbackRequest request) {
        return service.record(request, ListenerIds.fromHeader(listenerId));
    }
}
