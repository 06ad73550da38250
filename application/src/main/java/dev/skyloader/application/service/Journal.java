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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;
import static java.util.Objects.requireNonNull;

/**
 * The one download a run drives, and its state document: every change goes through here and is saved at once
 * (atomically and durably, by the store). The transfer threads and the background syncer all change it and read it,
 * under its lock; a save writes a copy taken under the lock, after it is released, so that a reader (a transfer
 * thread, at every buffer) never waits for a save's write and fsyncs. Saves take turns, and each writes the newest
 * copy: a document never goes back to an older version.
 */
final class Journal {
    private final Download download;
    private final StateStore store;
    private final Clock clock;
    /** Held while a save writes; taken before the journal's lock, never after it. */
    private final ReentrantLock saving = new ReentrantLock();
    /** A live save was asked for while another one was being written. */
    private boolean livePending;
    /** Bumped by every change. */
    private long version;
    /** The version the store holds, and the version it holds durably (not only in a live copy). */
    private long savedVersion;
    private long durableVersion;

    Journal(Download download, StateStore store, Clock clock) {
        this(download, store, clock, false);
    }

    /** {@code unsaved}: the download was changed in memory and its document is behind. */
    Journal(Download download, StateStore store, Clock clock, boolean unsaved) {
        this.download = requireNonNull(download, "download is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.version = unsaved ? 1 : 0;
    }

    Clock clock() {
        return clock;
    }

    Instant now() {
        return clock.instant();
    }

    /** Applies {@code change} with the current time, then saves: when this returns, the document has it. */
    void change(BiConsumer<Download, Instant> change) throws IOException {
        synchronized (this) {
            change.accept(download, now());
            version++;
        }
        save(true);
    }

    /**
     * Applies {@code change} now and saves it with the next save. For what a crash may lose without harm (the
     * document on disk then still describes the download as the last run left it): a save costs an fsync, and
     * before the first request of a resumed run an fsync waits for the page cache the killed run left behind.
     */
    synchronized void changeLater(BiConsumer<Download, Instant> change) {
        change.accept(download, now());
        version++;
    }

    /**
     * Saves a copy of the download as it is now, unless the store already holds this version (durably, when
     * {@code durably}). Called without the journal's lock. A durable save waits for a save being written; a live one
     * never does (a transfer thread reports every 512 KiB, and the syncer's save may be in its fsyncs): it is left
     * to the thread writing, which writes the newest version live once its own save is done.
     */
    private void save(boolean durably) throws IOException {
        if (durably) {
            saving.lock();
        } else {
            synchronized (this) {
                livePending = true;
            }
            if (!saving.tryLock()) {
                return;
            }
        }
        try {
            write(durably);
        } finally {
            saving.unlock();
        }
        writeLeftLiveSave();
    }

    /**
     * A live save asked for while this thread was writing: written now, once, unless another thread is writing
     * (which then does the same). One asked for during this write is left to the next save (the next report, the
     * syncer's next batch, or the end of the transfer), as is one whose write fails here: the caller's own save went
     * through, and a thread that saves never keeps on writing for others.
     */
    private void writeLeftLiveSave() {
        synchronized (this) {
            if (!livePending) {
                return;
            }
        }
        if (!saving.tryLock()) {
            return;
        }
        try {
            write(false);
        } catch (IOException | RuntimeException e) {
            // asked for again (livePending): the next save writes it
        } finally {
            saving.unlock();
        }
    }

    /** Writes the newest version, unless the store holds it already (durably, when {@code durably}). */
    private void write(boolean durably) throws IOException {
        long saved;
        Download copy;
        synchronized (this) {
            saved = version;
            // Whatever is written now is the newest version: it answers every live save asked for so far.
            livePending = false;
            if (saved == durableVersion || !durably && saved == savedVersion) {
                return;
            }
            copy = download.copy();
        }
        try {
            if (durably) {
                store.save(copy);
            } else {
                store.saveUnsynced(copy);
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                livePending = true;
            }
            throw e;
        }
        synchronized (this) {
            savedVersion = saved;
            if (durably) {
                durableVersion = saved;
            }
        }
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
    void progress(PieceMap written, PieceMap durable, boolean durably) throws IOException {
        boolean saveDurably = durably;
        synchronized (this) {
            PieceMap known = download.pieces();
            if (download.state() != DownloadState.DOWNLOADING) {
                PieceMap newDurable = download.durablePieces().union(durable.intersect(known));
                if (download.state() == DownloadState.COMPLETE || !known.containsAll(newDurable)
                        || download.durablePieces().equals(newDurable)) {
                    return;
                }
                download.recordDurablePieces(newDurable, now());
                version++;
                // A late report from the syncer (the transfer has stopped): saved in the document itself.
                saveDurably = true;
            } else {
                PieceMap newWritten = known.union(written);
                PieceMap newDurable = download.durablePieces().union(durable.intersect(newWritten));
                if (newWritten.equals(known) && newDurable.equals(download.durablePieces())
                        && version == (durably ? durableVersion : savedVersion)) {
                    return;
                }
                download.recordPieces(newWritten, newDurable, now());
                version++;
            }
        }
        save(saveDurably);
    }

    /** Served bytes up to {@code written} are in the part file, up to {@code durable} synced: a prefix. */
    void progress(long written, long durable) throws IOException {
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
