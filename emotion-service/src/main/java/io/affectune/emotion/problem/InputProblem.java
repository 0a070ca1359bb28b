package io.affectune.emotion.problem;

import org.springframework.http.HttpStatus;

/** Something wrong with what the client sent; answered as problem+json with this status and detail. */
public class InputProblem extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final Integer part;

    public InputProblem(HttpStatus status, String title, String detail) {
        this(status, title, detail, null);
    }

    private InputProblem(HttpStatus status, String title, String detail, Integer part) {
        super(detail);
        this.status = status;
        this.title = title;
        this.part = part;
    }

    /** The same problem, attributed to part {@code index} (1-based) of a batch request. */
    public InputProblem inPart(int index, String filename) {
        String where = "part " + index + (filename == null || filename.isBlank() ? "" : " (" + filename + ")");
        return new InputProblem(status, title, where + ": " + getMessage(), index);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public Integer part() {
        return part;
    }
}
