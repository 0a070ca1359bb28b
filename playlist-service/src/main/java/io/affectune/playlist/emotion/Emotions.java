package io.affectune.playlist.emotion;

import io.affectune.support.problem.ApiProblem;
import org.springframework.http.HttpStatus;

/** Parsing an emotion from user input, with the 400 answer that lists the valid names. */
public final class Emotions {

    private Emotions() {}

    public static Emotion require(String text) {
        return Emotion.parse(text)
                .orElseThrow(() -> new ApiProblem(
                                HttpStatus.BAD_REQUEST,
                                "Unknown emotion",
                                "Unknown emotion '" + abbreviate(text) + "'. Use one of "
                                        + String.join(", ", Emotion.ids())
                                        + " (disgusted, fearful and surprised are accepted too).")
                        .with("validEmotions", Emotion.ids()));
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
