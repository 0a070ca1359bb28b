package io.affectune.emotion.model;

/** The inference queue is at capacity: the request is refused (503 + Retry-After) rather than queued. */
public class QueueFullException extends RuntimeException {

    public QueueFullException(int depth) {
        this("the inference queue is full (" + depth + " images waiting); retry shortly");
    }

    /** Shed by deadline: the image could not (or would not) start inference in time. */
    public QueueFullException(String message) {
        super(message, null, false, false); // a refusal under overload: no stack trace to fill
    }
}
