package dev.skyloader.application.service;

import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.domain.PieceMap;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import static java.util.Objects.requireNonNull;

/**
 * Makes the part file durable in batches on a thread of its own, and only then lets the state call those bytes
 * durable: the transfer thread never waits for an fsync. A batch starts when {@code batchBytes} more were written
 * or {@code interval} passed since the last one, whichever comes first, and never while one is still running.
 * A sync that fails is reported to the transfer thread at every later write and {@link #check()}.
 */
final class Syncer {
    /** What a batch makes durable, and where it says so. */
    interface Marks {
        /**
         * The part's ranges written so far: taken when a batch starts, before its fdatasync.
         *
         * @param partBytes the count the batch starts at, as given to {@link Syncer#wrote}
         */
        PieceMap snapshot(long partBytes);

        /** The ranges of {@link #snapshot()} are on stable storage. */
        void durable(PieceMap synced) throws IOException;
    }

    private final PartFile part;
    private final Marks marks;
    private final Clock clock;
    private final long batchBytes;
    private final Duration interval;
    private final Object lock = new Object();
    private long lastStartedAt;
    private Instant lastStartedTime;
    private Thread running;
    private IOException failure;

    Syncer(PartFile part, Marks marks, Clock clock, long batchBytes, Duration interval) {
        this.part = requireNonNull(part, "part is null");
        this.marks = requireNonNull(marks, "marks is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.batchBytes = batchBytes;
        this.interval = requireNonNull(interval, "interval is null");
        this.lastStartedTime = clock.instant();
    }

    /**
     * The transfers wrote {@code partBytes} part bytes in all (a count that only grows until a cut); starts a batch
     * when one is due. Never blocks.
     */
    void wrote(long partBytes) throws IOException {
        synchronized (lock) {
            if (failure != null) {
                throw failure;
            }
            if (running != null || partBytes <= lastStartedAt) {
                return;
            }
            Instant now = clock.instant();
            if (partBytes - lastStartedAt < batchBytes && now.isBefore(lastStartedTime.plus(interval))) {
                return;
            }
            lastStartedAt = partBytes;
            lastStartedTime = now;
            PieceMap snapshot = marks.snapshot(partBytes);
            running = Thread.ofPlatform().daemon().name("skyloader-syncer").start(() -> sync(snapshot));
        }
    }

    /**
     * Throws the failure of any batch since the last cut. It stays: Linux reports a failed writeback to one fsync
     * only, so a later sync of the same file may succeed without the data being on disk.
     */
    void check() throws IOException {
        synchronized (lock) {
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Waits for a running batch, so that no late report lands after the part was cut or placed. */
    void drain() throws InterruptedException {
        Thread batch;
        synchronized (lock) {
            batch = running;
        }
        if (batch != null) {
            batch.join();
        }
    }

    /** Forgets the bytes synced so far: the part was cut to {@code partBytes}. */
    void restartAt(long partBytes) throws InterruptedException {
        drain();
        synchronized (lock) {
            lastStartedAt = partBytes;
            failure = null;
        }
    }

    private void sync(PieceMap snapshot) {
        try {
            part.sync();
            marks.durable(snapshot);
        } catch (IOException e) {
            synchronized (lock) {
                failure = e;
            }
        } catch (RuntimeException e) {
            synchronized (lock) {
                failure = new IOException("background sync failed: " + e, e);
            }
        } finally {
            synchronized (lock) {
                running = null;
            }
        }
    }
}
