package io.affectune.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.testsupport.RawHttp;

public final class ProblemAssertions {

    private ProblemAssertions() {}

    public static void assertProblem(RawHttp.Answer answer, int status, String type) {
        assertThat(answer.status()).as(answer.head() + "\n" + answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(answer.body()).contains("\"type\":\"" + type + "\"", "\"status\":" + status, "\"detail\":");
    }
}
