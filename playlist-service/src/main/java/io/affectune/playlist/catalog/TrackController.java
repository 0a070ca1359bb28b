package io.affectune.playlist.catalog;

import io.affectune.support.problem.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Locale;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/tracks")
@Tag(name = "Catalogue", description = "Search and read catalogue tracks")
public class TrackController {

    static final int MAX_SIZE = 100;
    static final int MAX_PAGE = 10_000;
    static final int MAX_QUERY_LENGTH = 200;

    private final TrackRepository tracks;

    public TrackController(TrackRepository tracks) {
        this.tracks = tracks;
    }

    @GetMapping
    @Transactional(readOnly = true)
    @Operation(summary = "Search tracks by title, artist or album (case-insensitive substring), most popular first")
    public TrackPage search(
            @RequestParam(defaultValue = "") String q,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "20") int size) {
        if (size < 1 || size > MAX_SIZE) {
            throw ApiProblem.badRequest("size must be between 1 and " + MAX_SIZE + ", not " + size + ".");
        }
        if (page < 0 || page > MAX_PAGE) {
            throw ApiProblem.badRequest("page must be between 0 and " + MAX_PAGE + ", not " + page + ".");
        }
        String query = q.trim();
        if (query.length() > MAX_QUERY_LENGTH) {
            throw ApiProblem.badRequest("q must be at most " + MAX_QUERY_LENGTH + " characters.");
        }
        String pattern = "%" + escapeLike(query.toLowerCase(Locale.ROOT)) + "%";
        Sort order = Sort.by(Sort.Order.desc("popularity").nullsLast(), Sort.Order.asc("id"));
        Page<Track> result = tracks.search(pattern, PageRequest.of(page, size, order));
        return new TrackPage(
                query,
                page,
                size,
                result.getTotalElements(),
                result.getTotalPages(),
                result.getContent().stream().map(TrackView::of).toList());
    }

    @GetMapping("/{id}")
    @Transactional(readOnly = true)
    @Operation(summary = "Read one track")
    public TrackView get(@PathVariable long id) {
        return tracks.findById(id)
                .map(TrackView::of)
                .orElseThrow(() -> ApiProblem.notFound("No track with id " + id + "."));
    }

    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
