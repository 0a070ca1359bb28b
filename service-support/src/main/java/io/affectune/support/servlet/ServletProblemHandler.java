package io.affectune.support.servlet;

import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every failure raised while a servlet service (playlist) handles a request, answered as problem+json by
 * the shared {@link ProblemResolver}. Failures before Spring (unparseable requests) are answered by
 * {@link ProblemErrorReportValve}, oversized bodies by {@link RequestSizeLimitFilter}.
 */
@RestControllerAdvice
public class ServletProblemHandler {

    private final ProblemResolver resolver;

    public ServletProblemHandler(ProblemResolver resolver) {
        this.resolver = resolver;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> problem(Exception error, HttpServletRequest request) {
        ProblemResolver.Answer answer = resolver.resolve(error, request.getMethod(), request.getRequestURI());
        return entity(answer, Problems.closeAfterRefusal(answer.status(), request.getContentLengthLong()));
    }

    /** The answer as a problem+json response, closing the connection after it when {@code close}. */
    static ResponseEntity<ProblemDetail> entity(ProblemResolver.Answer answer, boolean close) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(answer.status())
                .headers(answer.headers())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (close) {
            builder.header("Connection", "close");
        }
        return builder.body(answer.body());
    }
}
