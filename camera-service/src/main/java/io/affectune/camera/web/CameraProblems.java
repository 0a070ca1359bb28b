package io.affectune.camera.web;

import io.affectune.camera.session.SessionRefusedException;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * How camera-service's domain refusals reach clients: the session package says why a session was not
 * opened, this says which status that is (the shared library writes the problem+json).
 */
@Configuration(proxyBeanMethods = false)
public class CameraProblems {

    @Bean
    ProblemMapper sessionRefusals() {
        return error -> error instanceof SessionRefusedException refused ? of(refused) : null;
    }

    static ApiProblem of(SessionRefusedException e) {
        ApiProblem problem = switch (e.reason()) {
            case MALFORMED_ID -> new ApiProblem(HttpStatus.BAD_REQUEST, "Bad session id", e.getMessage());
            case CLIENT_RATE -> new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "Too many new sessions", e.getMessage());
            case FULL -> new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "No free session", e.getMessage());
        };
        return e.retryAfter().isZero() ? problem : problem.retryAfter(e.retryAfter());
    }
}
