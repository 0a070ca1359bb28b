package io.affectune.support.problem;

/**
 * Turns a service's own domain exception into the problem its clients see (a full session registry into
 * 503 + Retry-After, an unreachable database into 503), so that domain packages never depend on web
 * types and no service writes its own exception handler. Beans of this type are asked in order; the first
 * non-null answer wins. Anything no mapper knows is a 500 (logged at ERROR, with no detail leaked).
 */
@FunctionalInterface
public interface ProblemMapper {

    /** The problem for {@code error}, or null when this mapper does not know it. */
    ApiProblem map(Throwable error);
}
