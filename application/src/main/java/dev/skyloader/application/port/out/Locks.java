package dev.skyloader.application.port.out;

import dev.skyloader.domain.DownloadId;
import java.io.IOException;
import java.util.Optional;

/**
 * Keeps two processes (or two threads) from driving the same download at once, which would interleave their writes
 * to one part file and one state document.
 */
public interface Locks {
    /**
     * Takes the lock of {@code id} without waiting.
     *
     * @return the held lock, or empty when someone else holds it
     */
    Optional<Lease> tryLock(DownloadId id) throws IOException;

    /** A held lock; closing it releases it. A process that dies releases its locks with it. */
    interface Lease extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Who holds a lock, for the message of the one that did not get it: a process id, or empty when unknown. */
    Optional<String> holder(DownloadId id);

    /**
     * Whether a live process holds the lock of {@code id} right now, for a status report. Never takes the lock, so
     * that looking cannot keep a download from starting.
     */
    boolean held(DownloadId id);
}
