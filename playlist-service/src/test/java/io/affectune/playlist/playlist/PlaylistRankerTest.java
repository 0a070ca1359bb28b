package io.affectune.playlist.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.playlist.PlaylistDtos.RankedTrack;
import io.affectune.playlist.playlist.PlaylistDtos.Target;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ranking rules on hand-made candidates (the API tests check them on the real catalogue). */
class PlaylistRankerTest {

    private final PlaylistRanker ranker = new PlaylistRanker(
            new RankingProperties(0.25, 0.3, 0.5, 0.2, 2, 2, 200, 0.8, 0.55, 0.5, java.time.Duration.ofSeconds(2)),
            new PersonalRankingProperties(1.0, 0.2, 0.6, 0.15, 200, true));

    @Test
    void equalScoresGoToTheLowerIdWhateverTheCandidateOrder() {
        List<Candidate> candidates = new ArrayList<>();
        for (long id = 1; id <= 10; id++) {
            candidates.add(track(id, "artist " + id, 0.5, 0.5));
        }
        List<Candidate> shuffled = new ArrayList<>(candidates);
        Collections.shuffle(shuffled, new java.util.Random(7));
        List<Target> slots = ranker.slotTargets(new Target(0.5, 0.5), new Target(0.5, 0.5), 5);

        assertThat(ids(ranker.rank(Emotion.NEUTRAL, shuffled, slots))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ids(ranker.rank(Emotion.NEUTRAL, candidates, slots))).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void noMoreThanTwoTracksOfOneArtist() {
        List<Candidate> candidates = List.of(
                track(1, "Same", 0.5, 0.5),
                track(2, "same ", 0.5, 0.5),
                track(3, "SAME", 0.5, 0.5),
                track(4, "Other", 0.9, 0.1));
        List<RankedTrack> ranked = ranker.rank(
                Emotion.NEUTRAL, candidates, ranker.slotTargets(new Target(0.5, 0.5), new Target(0.5, 0.5), 4));
        assertThat(ids(ranked)).containsExactly(1L, 2L, 4L);
    }

    @Test
    void feedbackMovesATrackWithinItsBound() {
        Candidate plain = track(1, "a", 0.5, 0.5);
        Candidate skipped = plain.with(false, 0, 1);
        Candidate loved = plain.with(false, 1000, 0);
        Target target = new Target(0.5, 0.5);
        assertThat(ranker.score(skipped, target)).isLessThan(ranker.score(plain, target));
        assertThat(ranker.score(loved, target) - ranker.score(plain, target)).isBetween(0.19, 0.2);
    }

    @Test
    void upliftRunsFromTheMoodTowardPositiveValenceAndNeverDown() {
        Target sadGoal = ranker.goal(Emotion.SAD, Strategy.UPLIFT);
        assertThat(sadGoal.valence()).isEqualTo(0.5);
        assertThat(sadGoal.energy()).isEqualTo(0.4);
        assertThat(ranker.goal(Emotion.HAPPY, Strategy.UPLIFT).valence()).isEqualTo(Emotion.HAPPY.valence());
        assertThat(ranker.goal(Emotion.SAD, Strategy.MATCH)).isEqualTo(ranker.start(Emotion.SAD));
        List<Target> slots = ranker.slotTargets(ranker.start(Emotion.SAD), sadGoal, 5);
        assertThat(slots.get(0)).isEqualTo(new Target(0.2, 0.25));
        assertThat(slots.get(4).valence()).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void withoutPersonalFeedbackTheRankingIsTheGlobalOne() {
        List<Candidate> candidates =
                List.of(genred(1, "rock", 0.5, 0.5), genred(2, "pop", 0.52, 0.5), genred(3, "rock", 0.6, 0.6));
        List<Target> slots = ranker.slotTargets(new Target(0.5, 0.5), new Target(0.5, 0.5), 3);
        assertThat(ranker.rank(Emotion.NEUTRAL, candidates, slots, PersonalProfile.NONE))
                .isEqualTo(ranker.rank(Emotion.NEUTRAL, candidates, slots));
    }

    @Test
    void ownSkipsSinkAndLikesLiftSimilarTracks() {
        Candidate skippedEdm = genred(1, "edm", 0.5, 0.5);
        Candidate nearPop = genred(2, "pop", 0.51, 0.5);
        Candidate farRock = genred(3, "rock", 0.6, 0.6);
        Candidate likedRock = genred(4, "rock", 0.61, 0.6);
        List<Candidate> candidates = List.of(skippedEdm, nearPop, farRock);
        List<Target> slots = ranker.slotTargets(new Target(0.5, 0.5), new Target(0.5, 0.5), 3);
        assertThat(ids(ranker.rank(Emotion.NEUTRAL, candidates, slots))).containsExactly(1L, 2L, 3L);

        PersonalProfile profile = new PersonalProfile(
                Map.of(1L, new int[] {0, 1}, 4L, new int[] {1, 0}), List.of(likedRock), List.of(skippedEdm));
        List<RankedTrack> personal = ranker.rank(Emotion.NEUTRAL, candidates, slots, profile);
        // the rock track near the liked one rises to the top; the skipped one sinks to the bottom
        assertThat(ids(personal)).containsExactly(3L, 2L, 1L);
        assertThat(personal.get(0).reason().text()).contains("you liked 1 similar track");
        assertThat(personal.get(2).reason().text()).contains("you skipped it, so it sinks for you");
        // the pop track shares no genre with either: the listener's feedback does not touch it
        assertThat(personal.get(1).score())
                .isEqualTo(
                        ranker.rank(Emotion.NEUTRAL, candidates, slots).get(1).score());
    }

    private static Candidate genred(long id, String genre, double valence, double energy) {
        return new Candidate(
                id,
                "sp" + id,
                "title " + id,
                "artist " + id,
                "album",
                List.of(genre),
                valence,
                energy,
                "title " + id + "\u001fartist " + id,
                false,
                0,
                0);
    }

    private static Candidate track(long id, String artist, double valence, double energy) {
        return new Candidate(
                id,
                "sp" + id,
                "title " + id,
                artist,
                "album",
                List.of(),
                valence,
                energy,
                "title " + id + "\u001f" + artist,
                false,
                0,
                0);
    }

    private static List<Long> ids(List<RankedTrack> tracks) {
        return tracks.stream().map(RankedTrack::id).toList();
    }
}
