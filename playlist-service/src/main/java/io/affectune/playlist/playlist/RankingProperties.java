package io.affectune.playlist.playlist;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tuning of the playlist ranking (see README "Ranking").
 *
 * @param featureSigma        width of the Gaussian closeness score exp(-d^2 / 2 sigma^2) on the valence/energy plane
 * @param curatedBonus        added to the score of tracks on a curated list for the emotion
 * @param unknownFeatureScore closeness credited to curated tracks whose audio features are unknown
 * @param feedbackWeight      largest score change feedback can cause (bounded by tanh)
 * @param feedbackScale       net likes (likes - skips) that give tanh(1) of the weight
 * @param maxPerArtist        at most this many tracks of one artist per playlist
 * @param candidatePool       nearest tracks fetched per target point before re-ranking
 * @param upliftValenceGoal   valence the uplift strategy moves toward
 * @param upliftEnergyGoal    energy the uplift strategy moves toward
 * @param upliftShare         how far (0..1) toward the goal the last track of an uplift playlist lies
 * @param signalsTtl          how long curated membership and feedback tallies of an emotion are reused
 *                            (writes on this instance take effect at once; 0 reads them on every request)
 */
@ConfigurationProperties("affectune.ranking")
public record RankingProperties(
        @DefaultValue("0.25") double featureSigma,
        @DefaultValue("0.3") double curatedBonus,
        @DefaultValue("0.5") double unknownFeatureScore,
        @DefaultValue("0.2") double feedbackWeight,
        @DefaultValue("2") double feedbackScale,
        @DefaultValue("2") int maxPerArtist,
        @DefaultValue("200") int candidatePool,
        @DefaultValue("0.8") double upliftValenceGoal,
        @DefaultValue("0.55") double upliftEnergyGoal,
        @DefaultValue("0.5") double upliftShare,
        @DefaultValue("2s") java.time.Duration signalsTtl) {}
