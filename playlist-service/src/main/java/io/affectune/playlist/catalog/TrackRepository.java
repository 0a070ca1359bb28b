package io.affectune.playlist.catalog;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface TrackRepository extends JpaRepository<Track, Long> {

    /** pattern: a lower-case LIKE pattern with %, _ and \ escaped by '\'. */
    @Query(
            value = "select t from Track t where t.searchText like :pattern escape '\\'",
            countQuery = "select count(t) from Track t where t.searchText like :pattern escape '\\'")
    Page<Track> search(@Param("pattern") String pattern, Pageable pageable);
}
