package io.affectune.support.client;

import java.net.ConnectException;
import java.util.function.Predicate;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * A failure worth one more try of an idempotent request: a 5xx answer, or a connection that could not be opened
 * (refused, or not made within the connect timeout). Not a 4xx (the same request would be refused again), not a
 * time-out waiting for the answer (the caller's time is already spent), not an answer camera cannot read (it would
 * be the same again), not an open circuit. Named in {@code resilience4j.retry.instances.<name>.retry-exception-predicate}.
 */
public class TransientFailure implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable error) {
        if (error instanceof WebClientResponseException answer) {
            return answer.getStatusCode().is5xxServerError();
        }
        if (error instanceof WebClientRequestException request) {
            for (Throwable cause = request.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ConnectException) { // Netty's connect time-out is one too
                    return true;
                }
            }
        }
        return false;
    }
}
