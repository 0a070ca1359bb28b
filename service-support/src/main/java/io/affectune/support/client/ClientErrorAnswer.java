package io.affectune.support.client;

import java.util.function.Predicate;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * A 4xx answer: the other service is up and refused this request (a bad request, a 409 model-version mismatch,
 * a 429). It says nothing about the service's health, so a circuit breaker must not count it: named in
 * {@code resilience4j.circuitbreaker.instances.<name>.ignore-exception-predicate}.
 */
public class ClientErrorAnswer implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable error) {
        return error instanceof WebClientResponseException answer
                && answer.getStatusCode().is4xxClientError();
    }
}
