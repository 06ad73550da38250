package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PieceMap;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Function;
import static java.util.Objects.requireNonNull;

/**
 * The one download a run drives, and its state document: every change goes through here and is saved at once
 * (atomically and durably, by the store). The transfer thread and the background syncer both change it, so every
 * method holds the lock; a save is small and rare next to the transfer, which never waits on one for long.
 */
final class Journal {
    private final Download download;
    private final StateStore store;
    private final Clock clock;
    /** Changes made with {@link #changeLater} that the document on disk does not have yet. */
    private boolean unsaved;

    Journal(Download download, StateStore store, Clock clock) {
        this(download, store, clock, false);
    }

    /** {@code unsaved}: the download was changed in memory and its document is behind. */
    Journal(Download download, StateStore store, Clock clock, boolean unsaved) {
        this.download = requireNonNull(download, "download is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.unsaved = unsaved;
    }

    Clock clock() {
        return clock;
    }

    Instant now() {
        return clock.instant();
    }

    /** Applies {@code change} with the current time, then saves. */
    synchronized void change(BiConsumer<Download, Instant> change) throws IOException {
        change.accept(download, now());
        save();
    }

    /**
     * Applies {@code change} now and saves it with the next save. For what a crash may lose without harm (the
     * document on disk then still describes the download as the last run left it): a save costs an fsync, and
     * before the first request of a resumed run an fsync waits for the page cache the killed run left behind.
     */
    synchronized void changeLater(BiConsumer<Download, Instant> change) {
        change.accept(download, now());
        unsaved = true;
    }

    private void save() throws IOException {
        store.save(download);
        unsaved = false;
    }

    /** Reads the download under the lock. */
    synchronized <T> T read(Function<Download, T> reader) {
        return reader.apply(download);
    }

    /**
     * The part's ranges {@code written} are in the part file, {@code durable} of them synced. Ranges only grow here,
     * and only while the download is downloading: a late report from the syncer after the transfer moved on is
     * dropped, or, in another state, only adds durable ranges the state already calls written.
     *
     * @param durably false for a save that a crash of the process needs but a power loss may lose (no fsync)
     */
    synchronized void progress(PieceMap written, PieceMap durable, boolean durably) throws IOException {
        PieceMap known = download.pieces();
        if (download.state() != DownloadState.DOWNLOADING) {
            PieceMap newDurable = download.durablePieces().union(durable.intersect(known));
            if (download.state() != DownloadState.COMPLETE && known.containsAll(newDurable)
                    && !download.durablePieces().equals(newDurable)) {
                download.recordDurablePieces(newDurable, now());
                save();
            }
            return;
        }
        PieceMap newWritten = known.union(written);
        PieceMap newDurable = download.durablePieces().union(durable.intersect(newWritten));
        if (newWritten.equals(known) && newDurable.equals(download.durablePieces()) && !unsaved) {
            return;
        }
        download.recordPieces(newWritten, newDurable, now());
        if (durably) {
            save();
        } else {
            store.saveUnsynced(download);
        }
    }

    /** Served bytes up to {@code written} are in the part file, up to {@code durable} synced: a prefix. */
    synchronized void progress(long written, long durable) throws IOException {
        long h = download.cipher().headerBytes();
        progress(PieceMap.prefixOf(Math.max(0, written - h)), PieceMap.prefixOf(Math.max(0, durable - h)), true);
    }

    synchronized long bytes() {
        return download.bytesDownloaded();
    }

    synchronized DownloadResult result(Outcome outcome, String message) {
        return new DownloadResult(outcome, DownloadStatus.of(download), message);
    }

    /** The download itself, for code that runs on the transfer thread while no syncer runs. */
    Download download() {
        return download;
    }
}
