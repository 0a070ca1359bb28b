package io.affectune.support.problem;

import org.springframework.http.ProblemDetail;

/**
 * Told of every problem answered (4xx and 5xx), after it is built: a service that counts refusals by
 * reason (emotion-service's {@code emotion.requests.rejected}) registers one.
 */
@FunctionalInterface
public interface ProblemObserver {

    void answered(ProblemDetail problem);

    /** The type's slug, with '_' for '-' (a Prometheus-friendly tag value). */
    static String reason(ProblemDetail problem) {
        String type = problem.getType() == null ? "" : problem.getType().toString();
        String slug = type.startsWith(ProblemTypes.PREFIX)
                ? type.substring(ProblemTypes.PREFIX.length())
                : ProblemTypes.slugOf(problem.getTitle());
        return slug.replace('-', '_');
    }
}
