package io.affectune.playlist.feedback;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface FeedbackRepository extends JpaRepository<Feedback, Long> {

    @Modifying
    @Query(value = """
            INSERT INTO feedback_tally (emotion, track_id, likes, skips) VALUES (:emotion, :trackId, :likes, :skips)
            ON CONFLICT (emotion, track_id) DO UPDATE
               SET likes = feedback_tally.likes + EXCLUDED.likes, skips = feedback_tally.skips + EXCLUDED.skips
            """, nativeQuery = true)
    void addToTally(
            @Param("emotion") String emotion,
            @Param("trackId") long trackId,
            @Param("likes") int likes,
            @Param("skips") int skips);

    /** The listener's own running totals, read by the personal ranking. */
    @Modifying
    @Query(value = """
            INSERT INTO listener_feedback_tally (listener_id, emotion, track_id, likes, skips)
            VALUES (:listenerId, :emotion, :trackId, :likes, :skips)
            ON CONFLICT (listener_id, emotion, track_id) DO UPDATE
               SET likes = listener_feedback_tally.likes + EXCLUDED.likes,
                   skips = listener_feedback_tally.skips + EXCLUDED.skips, updated_at = now()
            """, nativeQuery = true)
    void addToListenerTally(
            @Param("listenerId") java.util.UUID listenerId,
            @Param("emotion") String emotion,
            @Param("trackId") long trackId,
            @Param("likes") int likes,
            @Param("skips") int skips);
}
