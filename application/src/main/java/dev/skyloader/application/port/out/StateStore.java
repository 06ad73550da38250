package dev.skyloader.application.port.out;

import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the progress of every download is kept across restarts of the process and of the machine.
 *
 * <p>{@link #save} is atomic and durable: after it returns, a crash leaves either the old or the new document, never
 * a mix. A document that cannot be read back is set aside (and reported) rather than failing every later start:
 * {@link #load} then answers empty and the download starts over. The AES key is never part of what is stored.
 */
public interface StateStore {
    Optional<Download> load(DownloadId id) throws IOException;

    void save(Download download) throws IOException;

    /**
     * Atomic like {@link #save}, but not durable: for marks that only a crash of the process needs (the page cache
     * keeps them), written too often to pay an fsync each time. After a power loss {@link #load} answers this one
     * or the last one saved durably, whole; whatever it claims as durable was durable.
     */
    default void saveUnsynced(Download download) throws IOException {
        save(download);
    }

    /** Every readable download in the store, in no particular order. */
    List<Download> list() throws IOException;

    void delete(DownloadId id) throws IOException;
}
