package io.affectune.gateway.problem;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Writes RFC 7807 application/problem+json answers from filters that stop a request themselves. */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    public static Mono<Void> write(ServerWebExchange exchange, ObjectMapper json, HttpStatusCode status,
                                   String title, String detail) {
        return write(exchange, json, status, title, detail, Map.of());
    }

    public static Mono<Void> write(ServerWebExchange exchange, ObjectMapper json, HttpStatusCode status,
                                   String title, String detail, Map<String, Object> extra) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        body.put("instance", exchange.getRequest().getPath().value());
        body.putAll(extra);
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = ("{\"title\":\"" + title + "\",\"status\":" + status.value() + "}").getBytes(StandardCharsets.UTF_8);
        }
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(bytes.length);
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (status.is4xxClientError() && length > 0 && length <= 64 * 1024) {
            // Refused before the body was read: the rest of it is still on the connection, and Reactor
            // Netty 1.2 can stop reading a keep-alive connection whose next request was queued behind
            // this one (reactor/reactor-netty#4361). Closing costs the client one reconnect. Only small
            // bodies, which have arrived whole: closing during a large upload would reset the connection
            // before the client reads its 413.
            response.getHeaders().set(HttpHeaders.CONNECTION, "close");
        }
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }
}
