package io.affectune.models;

/** A model directory, manifest or ONNX file that cannot be used; the message says what to fix. */
public class InvalidModelException extends RuntimeException {

    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
