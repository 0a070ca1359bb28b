package io.affectune.playlist.curated;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface CuratedPlaylistRepository extends JpaRepository<CuratedPlaylist, Long> {

    List<CuratedPlaylist> findAllByOrderByIdAsc();

    List<CuratedPlaylist> findByEmotionOrderByIdAsc(String emotion);
}
