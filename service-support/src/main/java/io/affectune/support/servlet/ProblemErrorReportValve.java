package io.affectune.support.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.Problems;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatusCode;

/**
 * Tomcat answers requests it cannot parse or route (an invalid character in the URI, a bad escape, headers
 * over the limit) itself, before Spring sees them, with an HTML error page. This valve replaces Tomcat's
 * page with a problem+json body of the same status.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String title = Problems.reasonPhrase(status);
        String detail = switch (status) {
            case 400 ->
                "The request is malformed (for example an invalid character or %-escape in the URI); "
                        + "fix the request and send it again.";
            case 414 -> "The URI is longer than the server accepts; shorten it or its query string.";
            case 431 -> "The request headers are larger than the server accepts; send fewer or shorter headers.";
            default -> "The request could not be served (" + title + ").";
        };
        ApiProblem problem = new ApiProblem(HttpStatusCode.valueOf(status), title, detail);
        try {
            byte[] body = JSON.writeValueAsBytes(Problems.asMap(problem, null));
            response.setContentType("application/problem+json");
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client went away, or the response was already taken: nothing more to tell it
        }
    }
}
