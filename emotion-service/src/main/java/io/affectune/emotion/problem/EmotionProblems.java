package io.affectune.emotion.problem;

import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.ModelUnavailableException;
import io.affectune.emotion.model.QueueFullException;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import io.affectune.support.problem.ProblemObserver;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What emotion-service's own refusals look like to clients (the shared library answers them as
 * problem+json), the count of every refusal by reason in {@code emotion.requests.rejected}, and the
 * enforcement of their Retry-After on clients that retry at once (EMOTION_PACE_EARLY_RETRIES).
 */
@Configuration(proxyBeanMethods = false)
public class EmotionProblems {

    @Bean
    ProblemMapper emotionProblemMapper(EmotionProperties properties) {
        return error -> {
            if (error instanceof QueueFullException) {
                return ApiProblem.unavailable("Busy", error.getMessage(), properties.retryAfter())
                        .type("queue-full");
            }
            if (error instanceof ModelUnavailableException) {
                return ApiProblem.unavailable("Model not ready", error.getMessage(), properties.retryAfter());
            }
            return null;
        };
    }

    @Bean
    ProblemObserver rejectedRequestsCounter(MeterRegistry meters) {
        return problem -> meters.counter("emotion.requests.rejected", "reason", ProblemObserver.reason(problem))
                .increment();
    }
}
