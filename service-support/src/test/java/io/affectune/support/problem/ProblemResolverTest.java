package io.affectune.support.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.ProblemDetail;
import org.springframework.web.server.ResponseStatusException;

class ProblemResolverTest {

    static class SessionsFull extends RuntimeException {}

    private final List<ProblemDetail> seen = new ArrayList<>();
    private final ProblemResolver resolver = new ProblemResolver(
            List.of(e -> e instanceof SessionsFull
                    ? ApiProblem.unavailable("No free session", "Full", Duration.ofMillis(1500))
                    : null),
            List.of(seen::add));

    @Test
    void anApiProblemIsAnsweredAsItSaysWithTheOneTypeScheme() {
        ProblemResolver.Answer answer = resolver.resolve(
                new IllegalStateException(
                        "wrapped",
                        ApiProblem.tooLarge("Image too large", "The image is 9 MB")
                                .with("maxBytes", 8)),
                "POST",
                "/x");
        assertThat(answer.status().value()).isEqualTo(413);
        assertThat(answer.body().getType()).hasToString("urn:affectune:problem:image-too-large");
        assertThat(answer.body().getTitle()).isEqualTo("Image too large");
        assertThat(answer.body().getDetail()).isEqualTo("The image is 9 MB");
        assertThat(answer.body().getProperties()).containsEntry("maxBytes", 8);
        assertThat(answer.body().getInstance()).hasToString("/x");
        assertThat(answer.fault()).isFalse();
        assertThat(seen).hasSize(1);
        assertThat(ProblemObserver.reason(seen.get(0))).isEqualTo("image_too_large");
    }

    @Test
    void domainExceptionsGoThroughTheServicesMappersWithRetryAfterInWholeSeconds() {
        ProblemResolver.Answer answer = resolver.resolve(new SessionsFull(), "POST", "/api/v1/sessions");
        assertThat(answer.status().value()).isEqualTo(503);
        assertThat(answer.headers().getFirst("Retry-After")).isEqualTo("2");
        assertThat(answer.body().getType()).hasToString("urn:affectune:problem:no-free-session");
    }

    @Test
    void clientErrorsRaisedBySpringAreFourHundreds() {
        assertThat(resolver.resolve(new InvalidMediaTypeException("%%%", "bad"), "POST", "/p")
                        .status()
                        .value())
                .isEqualTo(415);
        ProblemResolver.Answer notFound =
                resolver.resolve(new ResponseStatusException(HttpStatus.NOT_FOUND), "GET", "/nope");
        assertThat(notFound.status().value()).isEqualTo(404);
        assertThat(notFound.body().getType()).hasToString("urn:affectune:problem:not-found");
        assertThat(notFound.body().getDetail()).isEqualTo("Nothing at /nope.");
    }

    @Test
    void anythingElseIsAFiveHundredThatLeaksNothing() {
        ProblemResolver.Answer answer = resolver.resolve(new NullPointerException("secret internals"), "GET", "/x");
        assertThat(answer.status().value()).isEqualTo(500);
        assertThat(answer.fault()).isTrue();
        assertThat(answer.body().getDetail()).doesNotContain("secret");
    }
}
