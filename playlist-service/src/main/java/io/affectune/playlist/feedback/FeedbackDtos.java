package io.affectune.playlist.feedback;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

public final class FeedbackDtos {

    private FeedbackDtos() {
    }

    public record FeedbackRequest(
            @NotNull Long trackId,
            @NotBlank @Size(max = 16) String emotion,
            @NotBlank @Size(max = 8) String signal,
            @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9._:-]*", message = "may contain only letters, digits and . _ : -")
            String sessionId) {
    }

    public record FeedbackResponse(long id, long trackId, String emotion, String signal, String sessionId,
                                   Instant createdAt) {
        static FeedbackResponse of(Feedback f) {
            return new FeedbackResponse(f.getId(), f.getTrackId(), f.getEmotion(), f.getSignal(), f.getSessionId(),
                    f.getCreatedAt());
        }
    }
}
