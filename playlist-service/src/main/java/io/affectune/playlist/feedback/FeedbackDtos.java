package io.affectune.playlist.feedback;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

public final class FeedbackDtos {

    private FeedbackDtos() {}

    public record FeedbackRequest(
            @NotNull Long trackId,
            @NotBlank @Size(max = 16) String emotion,
            @NotBlank @Size(max = 8) String signal,

            @Size(max = 128)
            @Pattern(regexp = "[A-Za-z0-9._:-]*", message = "may contain only letters, digits and . _ : -")
            String sessionId) {}

    /** listenerId: the X-Listener-Id the feedback came with, or null. */
    public record FeedbackResponse(
            long id,
            long trackId,
            String emotion,
            String signal,
            String sessionId,
            UUID listenerId,
            Instant createdAt) {
        static FeedbackResponse of(Feedback f) {
            return new FeedbackResponse(
                    f.getId(),
                    f.getTrackId(),
                    f.getEmotion(),
                    f.getSignal(),
                    f.getSessionId(),
                    f.getListenerId(),
                    f.getCreatedAt());
        }
    }
}
