package io.affectune.support.servlet;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.problem.Problems;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page (/error): what Tomcat refuses after parsing the request line but
 * before Spring MVC (a malformed chunked body, Content-Length and Transfer-Encoding together) and what
 * filters reject with sendError. Spring Boot's own error controller answers those in its JSON shape; this
 * answers problem+json like everything else.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    private final ProblemResolver resolver;

    public ProblemErrorController(ProblemResolver resolver) {
        this.resolver = resolver;
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri == null ? request.getRequestURI() : uri.toString();
        Throwable error = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ProblemResolver.Answer answer;
        if (error != null) {
            answer = resolver.resolve(error, request.getMethod(), path);
        } else {
            int code = status instanceof Integer i && i >= 400 ? i : 500;
            Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
            String detail = message == null || message.toString().isBlank()
                    ? "The request could not be served (" + Problems.reasonPhrase(code) + ")."
                    : Problems.quote(message.toString());
            answer = resolver.resolve(
                    new ApiProblem(HttpStatusCode.valueOf(code), Problems.reasonPhrase(code), detail),
                    request.getMethod(),
                    path);
        }
        return ServletProblemHandler.entity(answer, false);
    }
}
