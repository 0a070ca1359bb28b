package io.affectune.emotion.model;

/** The models are still loading or failed to load: 503 with Retry-After. */
public class ModelUnavailableException extends RuntimeException {

    public ModelUnavailableException(String message) {
        super(message);
    }
}
