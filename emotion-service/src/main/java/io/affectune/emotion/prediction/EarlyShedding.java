package io.affectune.emotion.prediction;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.emotion.EmotionProperties;
import io.affectune.emotion.model.LoadedModel;
import io.affectune.emotion.model.ModelRegistry;
import io.affectune.emotion.model.QueueFullException;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.timeouts.EarlyRefusal;
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
                    .batcher()
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
