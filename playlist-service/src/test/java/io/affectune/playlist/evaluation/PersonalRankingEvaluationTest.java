package io.affectune.playlist.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs the offline evaluation (35 simulated listeners, five per emotion, seed 20261130 unless -Devaluation.listeners /
 * -Devaluation.seed say otherwise), prints its table, writes it to target/personal-ranking-evaluation.md and
 * holds the goals: no loss at 0 interactions, at least twice the global hit rate after 20.
 */
class PersonalRankingEvaluationTest {

    @Test
    void personalRankingAtLeastDoublesTheHitRateAfterTwentyInteractionsWithNoLossAtZero() throws IOException {
        int listeners = Integer.getInteger("evaluation.listeners", 35);
        long seed = Long.getLong("evaluation.seed", 20261130L);
        PersonalRankingEvaluation.Result result = PersonalRankingEvaluation.run(listeners, seed);
        String table = result.table();
        System.out.println(table);
        Files.writeString(Path.of("target", "personal-ranking-evaluation.md"), table);

        assertThat(result.personal(0)).isEqualTo(result.global(0));
        assertThat(result.personal(20)).isGreaterThanOrEqualTo(2 * result.global(20));
    }
}
