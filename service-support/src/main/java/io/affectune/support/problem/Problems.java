package io.affectune.support.problem;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** Builds the problem+json bodies of every service and the WebSocket error messages, in one shape. */
public final class Problems {

    /**
     * A refusal sent before a request body was read leaves the rest of that body on the connection. Reactor
     * Netty 1.2 can then stop reading a keep-alive connection for good when the client queued the next request
     * behind the refused one (reactor/reactor-netty#4361, #4347): the client waits forever. Closing the
     * connection after such a refusal costs one reconnect and cannot hang. Only small bodies qualify: they have
     * arrived whole, so the close is clean; closing while a large upload is still arriving would reset the
     * connection before the client reads its answer (a 413), and large bodies are not the ones that queue up
     * behind a quick refusal.
     */
    public static final long SMALL_BODY_BYTES = 64 * 1024;

    private Problems() {}

    /** The connection-close rule above, for a request that declared this Content-Length (-1: none). */
    public static boolean closeAfterRefusal(HttpStatusCode status, long contentLength) {
        return status.is4xxClientError() && contentLength > 0 && contentLength <= SMALL_BODY_BYTES;
    }

    public static ProblemDetail detail(ApiProblem problem, String instance) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
        body.setTitle(problem.title());
        body.setType(ProblemTypes.of(problem.slug()));
        if (instance != null) {
            body.setInstance(URI.create(instance));
        }
        problem.properties().forEach(body::setProperty);
        return body;
    }

    /**
     * Gives a ProblemDetail that Spring built ({@code type} about:blank, maybe no title) this scheme's type
     * and a title, and the request path as {@code instance}.
     */
    public static ProblemDetail normalise(ProblemDetail body, String instance) {
        String reason = reasonPhrase(body.getStatus());
        if (body.getType() == null || "about:blank".equals(body.getType().toString())) {
            body.setType(ProblemTypes.of(ProblemTypes.slugOf(body.getTitle() != null ? body.getTitle() : reason)));
        }
        if (body.getTitle() == null) {
            body.setTitle(reason);
        }
        if (body.getDetail() == null) {
            body.setDetail(body.getStatus() == 404 && instance != null ? "Nothing at " + instance + "." : reason + ".");
        }
        if (body.getInstance() == null && instance != null) {
            body.setInstance(URI.create(instance));
        }
        return body;
    }

    /** The problem as a JSON object, for places that write bytes themselves (gateway filters, WebSocket). */
    public static Map<String, Object> asMap(ApiProblem problem, String instance) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", ProblemTypes.of(problem.slug()).toString());
        map.put("title", problem.title());
        map.put("status", problem.status().value());
        map.put("detail", problem.getMessage());
        if (instance != null) {
            map.put("instance", instance);
        }
        map.putAll(problem.properties());
        return map;
    }

    /** A header value quoted back to the client: printable ASCII only, at most 100 characters. */
    public static String quote(String raw) {
        String clean = String.valueOf(raw).replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }

    public static String reasonPhrase(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known != null ? known.getReasonPhrase() : "HTTP " + status;
    }
}
