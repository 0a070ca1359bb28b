package io.affectune.emotion.prediction;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.LoadedModel;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.emotion.model.QueueFullException;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.timeouts.EarlyRefusal;
import io.affectune.support.timeouts.RetryAfterPacing;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Under overload most requests are refused, and a refusal that has gone through the web stack (body read, handler
 * found, exception mapped, request observed and traced) costs a good part of what the admitted work needs
 * (reliability suite, 5x overload). So a single-image prediction is admitted by its queueing deadline from its
 * request head already (service-support's {@link EarlyRefusal}): the same rule and the same 503 problem+json with
 * Retry-After as {@link PredictionService} gives after the body is read ({@code MicroBatcher.admit}), only sooner
 * and cheaper. Anything this cannot judge from the head (a batch, an unknown model, a bad deadline header) goes
 * on to the application, which answers it. EMOTION_SHED_EARLY=false turns it off.
 */
@Configuration(proxyBeanMethods = false)
class EarlyShedding {

    private static final String PATH = "/api/v1/predictions";

    @Bean
    NettyServerCustomizer earlyRefusalOfPredictions(
            EmotionProperties properties, ModelRegistry models, ProblemResolver answers, ObjectMapper json) {
        if (!properties.shedEarly()) {
            return server -> server;
        }
        return new EarlyRefusal(head -> refusal(head, models, properties), answers, json);
    }

    /**
     * A keep-alive connection that asks again before the Retry-After of its last 503 gets its next 503 held until
     * then (see {@link RetryAfterPacing}): a retry storm cannot take the cores from admitted work. A held request
     * with {@code X-Deadline-Ms} is answered by its deadline. When the hold ends while the queue would still refuse
     * the request, the answer repeats {@code Retry-After} and the connection stays paced: at 5x overload a client
     * that never backs off costs one held answer a second instead of that plus an immediate refusal.
     */
    @Bean
    NettyServerCustomizer retryAfterPacing(EmotionProperties properties, ModelRegistry models, MeterRegistry meters) {
        if (!properties.paceEarlyRetries()) {
            return server -> server;
        }
        var paced = meters.counter("emotion.requests.rejected", "reason", "retried_too_soon");
        return new RetryAfterPacing(
                "X-Deadline-Ms", held -> paced.increment(), head -> refusal(head, models, properties) != null);
    }

    /** The 503 the application would answer once the body is read, or null when this head cannot tell. */
    static Throwable refusal(HttpRequest head, ModelRegistry models, EmotionProperties properties) {
        if (!HttpMethod.POST.equals(head.method())) {
            return null;
        }
        QueryStringDecoder uri = new QueryStringDecoder(head.uri());
        if (!PATH.equals(uri.path())) {
            return null;
        }
        List<String> model = uri.parameters().get("model");
        Optional<LoadedModel> loaded = models.find(model == null || model.isEmpty() ? null : model.get(0));
        if (loaded.isEmpty()) {
            return null;
        }
        try {
            loaded.get()
                    .batcher(RequestUrgency.lane(head.headers().get(RequestUrgency.HEADER)))
                    .admit(PredictionController.budget(
                            head.headers().get(PredictionController.DEADLINE_HEADER), properties.queueDeadline()));
            return null;
        } catch (QueueFullException busy) {
            return busy;
        } catch (ApiProblem badDeadline) {
            return null;
        }
    }
}
