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
    void addToTally(@Param("emotion") String emotion, @Param("trackId") long trackId,
                    @Param("likes") int likes, @Param("skips") int skips);
}
