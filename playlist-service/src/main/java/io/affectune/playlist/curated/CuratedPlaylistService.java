package io.affectune.playlist.curated;

import io.affectune.playlist.catalog.Track;
import io.affectune.playlist.catalog.TrackRepository;
import io.affectune.playlist.catalog.TrackView;
import io.affectune.playlist.curated.CuratedPlaylistDtos.PlaylistDetail;
import io.affectune.playlist.curated.CuratedPlaylistDtos.PlaylistRequest;
import io.affectune.playlist.curated.CuratedPlaylistDtos.PlaylistSummary;
import io.affectune.playlist.emotion.Emotion;
import io.affectune.playlist.emotion.Emotions;
import io.affectune.playlist.playlist.RankingSignals;
import io.affectune.support.problem.ApiProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class CuratedPlaylistService {

    private final CuratedPlaylistRepository playlists;
    private final TrackRepository tracks;
    private final RankingSignals signals;

    public CuratedPlaylistService(CuratedPlaylistRepository playlists, TrackRepository tracks, RankingSignals signals) {
        this.playlists = playlists;
        this.tracks = tracks;
        this.signals = signals;
    }

    @Transactional(readOnly = true)
    public List<PlaylistSummary> list(String emotion) {
        List<CuratedPlaylist> found = emotion == null || emotion.isBlank()
                ? playlists.findAllByOrderByIdAsc()
                : playlists.findByEmotionOrderByIdAsc(Emotions.require(emotion).id());
        return found.stream().map(PlaylistSummary::of).toList();
    }

    @Transactional(readOnly = true)
    public PlaylistDetail get(long id) {
        return detail(find(id));
    }

    @Transactional
    public PlaylistDetail create(PlaylistRequest request) {
        signals.changedAll();
        Emotion emotion = Emotions.require(request.emotion());
        List<Long> trackIds = checkedTrackIds(request.trackIds());
        CuratedPlaylist playlist = playlists.save(
                new CuratedPlaylist(emotion.id(), request.name().trim(), request.description(), "api", trackIds));
        return detail(playlist);
    }

    @Transactional
    public PlaylistDetail replace(long id, PlaylistRequest request) {
        signals.changedAll();
        CuratedPlaylist playlist = find(id);
        Emotion emotion = Emotions.require(request.emotion());
        playlist.replace(
                emotion.id(), request.name().trim(), request.description(), checkedTrackIds(request.trackIds()));
        return detail(playlists.saveAndFlush(playlist));
    }

    @Transactional
    public void delete(long id) {
        signals.changedAll();
        playlists.delete(find(id));
    }

    @Transactional
    public PlaylistDetail addTrack(long id, long trackId, Integer position) {
        signals.changedAll();
        CuratedPlaylist playlist = find(id);
        checkedTrackIds(List.of(trackId));
        playlist.addTrack(trackId, position);
        return detail(playlists.saveAndFlush(playlist));
    }

    @Transactional
    public void removeTrack(long id, long trackId) {
        signals.changedAll();
        CuratedPlaylist playlist = find(id);
        if (!playlist.removeTrack(trackId)) {
            throw ApiProblem.notFound("Track " + trackId + " is not on curated playlist " + id + ".");
        }
        playlists.saveAndFlush(playlist);
    }

    private CuratedPlaylist find(long id) {
        return playlists.findById(id).orElseThrow(() -> ApiProblem.notFound("No curated playlist with id " + id + "."));
    }

    private List<Long> checkedTrackIds(List<Long> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        Set<Long> unique = new LinkedHashSet<>(requested);
        if (unique.size() != requested.size()) {
            throw ApiProblem.badRequest("trackIds lists a track more than once; each track may appear once.");
        }
        Set<Long> known = new HashSet<>();
        tracks.findAllById(unique).forEach(t -> known.add(t.getId()));
        List<Long> missing =
                unique.stream().filter(idValue -> !known.contains(idValue)).toList();
        if (!missing.isEmpty()) {
            throw new ApiProblem(
                            org.springframework.http.HttpStatus.NOT_FOUND,
                            "Unknown tracks",
                            "No track with id "
                                    + missing.stream().map(String::valueOf).collect(Collectors.joining(", "))
                                    + ". Find ids with GET /api/v1/tracks?q=...")
                    .with("unknownTrackIds", missing);
        }
        return new ArrayList<>(unique);
    }

    private PlaylistDetail detail(CuratedPlaylist playlist) {
        List<Long> ids = playlist.getTrackIds();
        Map<Long, Track> byId =
                tracks.findAllById(ids).stream().collect(Collectors.toMap(Track::getId, Function.identity()));
        List<TrackView> views = ids.stream()
                .map(byId::get)
                .filter(t -> t != null)
                .map(TrackView::of)
                .toList();
        return new PlaylistDetail(
                playlist.getId(),
                playlist.getEmotion(),
                playlist.getName(),
                playlist.getDescription(),
                playlist.getSource(),
                playlist.getCreatedAt(),
                playlist.getUpdatedAt(),
                views);
    }
}
