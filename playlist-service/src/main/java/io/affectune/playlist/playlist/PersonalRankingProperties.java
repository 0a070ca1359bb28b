package io.affectune.playlist.playlist;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a listener's own likes and skips change their playlists (README "Personal ranking"). With no
 * feedback from the listener for the emotion, none of this applies and the ranking is the global one.
 *
 * @param skipPenalty      subtracted from a track the listener skipped more often than liked (for this emotion);
 *                         large next to the global feedback weight (0.2), so it sinks for them, not for others
 * @param likeBonus        added to a track the listener liked more often than skipped
 * @param similarityWeight largest lift (or drop) from the listener's likes (or skips) of similar tracks
 * @param similarityWidth  distance on the valence/energy plane at which a liked track's pull falls to exp(-1/2)
 * @param maxEvents        most recent (emotion, track) tallies of the listener read per request
 * @param neighbourhood    also fetch candidates around the listener's liked tracks (not only around the mood's target)
 */
@ConfigurationProperties("affectune.ranking.personal")
public record PersonalRankingProperties(
        @DefaultValue("1.0") double skipPenalty,
        @DefaultValue("0.2") double likeBonus,
        @DefaultValue("0.6") double similarityWeight,
        @DefaultValue("0.15") double similarityWidth,
        @DefaultValue("200") int maxEvents,
        @DefaultValue("true") boolean neighbourhood) {}
