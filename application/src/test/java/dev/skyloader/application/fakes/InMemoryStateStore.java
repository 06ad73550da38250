package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Keeps copies, as a real store would: later changes to a saved download do not leak in. */
public final class InMemoryStateStore implements StateStore {
    private final Map<DownloadId, Download> documents = new LinkedHashMap<>();
    private final List<Download> history = new ArrayList<>();

    @Override
    public synchronized Optional<Download> load(DownloadId id) {
        return Optional.ofNullable(documents.get(id)).map(InMemoryStateStore::copy);
    }

    @Override
    public synchronized void save(Download download) {
        Download copy = copy(download);
        documents.put(download.id(), copy);
        history.add(copy);
    }

    @Override
    public synchronized List<Download> list() {
        return documents.values().stream().map(InMemoryStateStore::copy).toList();
    }

    @Override
    public synchronized void delete(DownloadId id) {
        documents.remove(id);
    }

    /** Every document saved, in order. */
    public synchronized List<Download> history() {
        return List.copyOf(history);
    }

    /** A copy as a process that died in {@code state}, placing an output of {@code placedSize} bytes, left it. */
    public static Download copyAs(Download d, DownloadState state, long placedSize) {
        return builder(d).state(state).placedSize(placedSize).build();
    }

    public static Download copy(Download d) {
        return builder(d).build();
    }

    private static Download.Builder builder(Download d) {
        return Download.builder().id(d.id()).url(d.url()).expectedSha256(d.expectedSha256())
                .expectedSize(d.expectedSize()).cipher(d.cipher()).outputPath(d.outputPath()).partPath(d.partPath())
                .createdAt(d.createdAt()).updatedAt(d.updatedAt()).state(d.state())
                .bytesDownloaded(d.bytesDownloaded()).attempts(d.attempts()).restarts(d.restarts())
                .mismatchedSha256(d.mismatchedSha256().orElse(null))
                .nextAttemptAt(d.nextAttemptAt().orElse(null)).lastError(d.lastError().orElse(null))
                .validator(d.validator().orElse(null)).bytesDurable(d.bytesDurable())
                .bootId(d.bootId().orElse(null)).header(d.header().orElse(null)).partEncoding(d.partEncoding())
                .placedSize(d.placedSize().isPresent() ? d.placedSize().getAsLong() : null)
                .reportedSize(d.reportedSize().isPresent() ? d.reportedSize().getAsLong() : null)
                .bytesReused(d.bytesReused().isPresent() ? d.bytesReused().getAsLong() : null)
                // As the state file does: ranges only for a part that may have gaps.
                .pieces(d.piecewise() || gaps(d.pieces()) ? d.pieces() : null)
                .durablePieces(d.piecewise() || gaps(d.durablePieces()) ? d.durablePieces() : null);
    }

    private static boolean gaps(dev.skyloader.domain.PieceMap map) {
        return map.present() != map.prefix();
    }
}
