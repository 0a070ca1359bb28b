package io.affectune.playlist.playlist;

import io.affectune.support.problem.ApiProblem;
import java.util.Locale;

/** match: meet the listener's mood. uplift: start there and move gently toward positive valence (iso principle). */
public enum Strategy {
    MATCH,
    UPLIFT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Strategy parse(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Strategy s : values()) {
            if (s.id().equals(wanted)) {
                return s;
            }
        }
        throw ApiProblem.badRequest("strategy must be 'match' or 'uplift', not '" + text + "'.");
    }
}
