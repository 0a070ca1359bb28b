package io.affectune.playlist.listener;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** JSON of the /api/v1/listeners endpoints. */
public final class ListenerDtos {

    private ListenerDtos() {}

    public record ConsentRequest(@NotNull Boolean history) {}

    public record MoodRequest(@NotBlank @Size(max = 16) String emotion) {}

    /** historyRetentionDays: how long history is kept while consent is on. */
    public record ListenerResponse(
            UUID id, boolean historyConsent, Instant consentChangedAt, long historyRetentionDays) {
        static ListenerResponse of(Listener l, java.time.Duration retention) {
            return new ListenerResponse(l.id(), l.historyConsent(), l.consentChangedAt(), retention.toDays());
        }
    }

    public record MoodEntry(String emotion, Instant at) {}

    /** day: a UTC date; moods: how often each mood settled that day. */
    public record MoodDay(LocalDate day, Map<String, Integer> moods) {}

    public record TrackEntry(long trackId, String title, String artist, String emotion, Instant at) {}

    public record ShownEntry(String emotion, List<Long> trackIds, Instant at) {}

    /** Everything kept about a consenting listener within the retention period, newest first. */
    public record HistoryResponse(
            UUID listenerId,
            boolean historyConsent,
            long retentionDays,
            Instant since,
            List<MoodEntry> moods,
            List<MoodDay> moodDays,
            List<TrackEntry> liked,
            List<TrackEntry> skipped,
            List<ShownEntry> shown) {

        static HistoryResponse of(ListenerService.ListenerHistory history) {
            List<MoodEntry> moods = new ArrayList<>();
            Map<LocalDate, Map<String, Integer>> days = new TreeMap<>();
            List<TrackEntry> liked = new ArrayList<>();
            List<TrackEntry> skipped = new ArrayList<>();
            List<ShownEntry> shown = new ArrayList<>();
            for (HistoryEvent e : history.events()) {
                switch (e.kind()) {
                    case "mood" -> {
                        moods.add(new MoodEntry(e.emotion(), e.at()));
                        days.computeIfAbsent(e.at().atOffset(ZoneOffset.UTC).toLocalDate(), d -> new TreeMap<>())
                                .merge(e.emotion(), 1, Integer::sum);
                    }
                    case "like", "skip" -> {
                        TrackEntry entry = new TrackEntry(
                                e.trackIds().isEmpty() ? 0 : e.trackIds().get(0),
                                e.title(),
                                e.artist(),
                                e.emotion(),
                                e.at());
                        (e.kind().equals("like") ? liked : skipped).add(entry);
                    }
                    default -> shown.add(new ShownEntry(e.emotion(), e.trackIds(), e.at()));
                }
            }
            List<MoodDay> moodDays = days.entrySet().stream()
                    .map(d -> new MoodDay(d.getKey(), d.getValue()))
                    .toList();
            return new HistoryResponse(
                    history.listener().id(),
                    history.listener().historyConsent(),
                    history.retention().toDays(),
                    history.since(),
                    moods,
                    moodDays,
                    liked,
                    skipped,
                    shown);
        }
    }
}
