package io.affectune.camera.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.camera.analysis.FrameAnalyzer;
import io.affectune.camera.feed.SessionFeeds;
import io.affectune.camera.session.Session;
import io.affectune.camera.session.SessionRefusedException;
import io.affectune.camera.session.SessionRegistry;
import io.affectune.camera.web.ClientAddress;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Mono;

/**
 * WS /api/v1/sessions/{id}/stream: binary JPEG/PNG frames in, one JSON result out per processed frame.
 * At most one frame is processed and one waits; a newer frame replaces the waiting one, and each
 * replaced frame is counted as dropped. Latency therefore stays bounded by about two processing
 * times, whatever rate the client sends at.
 *
 * <p>Each processed frame is an observation of its own ({@code camera.frame}, a span when tracing is on) whose
 * parent is the handshake's request: the emotion-service and playlist-service calls a frame causes, and the log
 * lines it writes, carry the trace the WebSocket was opened in (the browser's or the gateway's traceparent).
 */
@Component
public class FrameStreamHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(FrameStreamHandler.class);

    private final SessionRegistry sessions;
    private final FrameAnalyzer analyzer;
    private final SessionFeeds feeds;
    private final ObjectMapper json;
    private final Clock clock;
    private final Counter dropped;
    private final ObservationRegistry observations;

    public FrameStreamHandler(
            SessionRegistry sessions,
            FrameAnalyzer analyzer,
            SessionFeeds feeds,
            ObjectMapper json,
            Clock clock,
            MeterRegistry meters,
            ObservationRegistry observations) {
        this.observations = observations;
        this.sessions = sessions;
        this.analyzer = analyzer;
        this.feeds = feeds;
        this.json = json;
        this.clock = clock;
        this.dropped = Counter.builder("camera.frames.dropped")
                .description("Frames replaced by a newer one before they could be processed")
                .register(meters);
    }

    private sealed interface Inbound permits Frame, Text {}

    private record Frame(byte[] bytes, long receivedNanos) implements Inbound {}

    private record Text(String text) implements Inbound {}

    @Override
    public Mono<Void> handle(WebSocketSession socket) {
        // the upgrade runs the handler in the handshake request's Reactor context, which holds its observation
        return Mono.deferContextual(
                context -> stream(socket, context.getOrDefault(ObservationThreadLocalAccessor.KEY, null)));
    }

    private Mono<Void> stream(WebSocketSession socket, Observation handshake) {
        String path = socket.getHandshakeInfo().getUri().getPath();
        String[] parts = path.split("/");
        String id = parts.length >= 2 ? parts[parts.length - 2] : "";
        Session session;
        try {
            session = sessions.open(
                    id,
                    ClientAddress.of(
                            socket.getHandshakeInfo().getRemoteAddress(),
                            socket.getHandshakeInfo().getHeaders()));
        } catch (SessionRefusedException e) {
            // 1008 for an id that will never work, 1013 "try again later" for the limits
            CloseStatus status = e.reason() == SessionRefusedException.Reason.MALFORMED_ID
                    ? CloseStatus.POLICY_VIOLATION
                    : CloseStatus.SERVICE_OVERLOAD;
            String reason = e.getMessage();
            return socket.close(status.withReason(reason.length() > 120 ? reason.substring(0, 120) : reason));
        }
        session.inputAttached();
        log.debug(
                "Frame stream of session {} opened; frames continue the handshake's trace: {}",
                session.id(),
                handshake != null);
        return socket.send(socket.receive()
                        .map(FrameStreamHandler::copy)
                        .onBackpressureBuffer(
                                1,
                                replaced -> {
                                    session.countDropped(1);
                                    dropped.increment();
                                },
                                BufferOverflowStrategy.DROP_OLDEST)
                        .flatMap(in -> traced(in, session, handshake), 1, 1)
                        .map(socket::textMessage))
                .doFinally(signal -> session.inputDetached(clock.instant()));
    }

    private static Inbound copy(WebSocketMessage message) {
        if (message.getType() == WebSocketMessage.Type.BINARY) {
            byte[] bytes = new byte[message.getPayload().readableByteCount()];
            message.getPayload().read(bytes);
            return new Frame(bytes, System.nanoTime());
        }
        return new Text(message.getPayloadAsText());
    }

    /** One frame's work inside its own observation, a child of the handshake's (a new trace when there is none). */
    private Mono<String> traced(Inbound in, Session session, Observation handshake) {
        return Mono.defer(() -> {
            // started before it goes into the Reactor context: an observation put there unstarted would have its
            // (empty) scope opened by the context propagation first, and its span would lose the parent
            Observation frame = Observation.createNotStarted("camera.frame", observations)
                    .contextualName("websocket frame")
                    .parentObservation(handshake)
                    .lowCardinalityKeyValue("frame.type", in instanceof Frame ? "binary" : "text")
                    .start();
            return process(in, session)
                    .doFinally(signal -> frame.stop())
                    .contextWrite(context -> context.put(ObservationThreadLocalAccessor.KEY, frame));
        });
    }

    private Mono<String> process(Inbound in, Session session) {
        if (in instanceof Text) {
            return Mono.just(error(new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "Text frame",
                    "Frames must be sent as binary messages (JPEG or PNG bytes)")));
        }
        Frame frame = (Frame) in;
        double queueMs = (System.nanoTime() - frame.receivedNanos()) / 1e6;
        return analyzer.analyze(frame.bytes(), session, false)
                .map(result -> result.withQueueMs(queueMs))
                .doOnNext(result -> feeds.publish(session, result))
                .map(this::toJson)
                .onErrorResume(ApiProblem.class, e -> Mono.just(error(e)))
                .onErrorResume(e -> {
                    log.warn("Frame processing failed in session {}: {}", session.id(), e.toString());
                    return Mono.just(error(new ApiProblem(
                            HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "The frame could not be processed")));
                });
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {"error": {...}}: the same problem object (type, title, status, detail) an HTTP answer would carry. */
    private String error(ApiProblem problem) {
        return toJson(Map.of("error", Problems.asMap(problem, null)));
    }
}
