package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.ListDownloads;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.StateStore;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import static java.util.Objects.requireNonNull;

/** Reads every download of a state directory, most recently updated first. */
public final class StatusService implements ListDownloads {
    private final StateStore store;
    private final Locks locks;

    public StatusService(StateStore store, Locks locks) {
        this.store = requireNonNull(store, "store is null");
        this.locks = requireNonNull(locks, "locks is null");
    }

    /** Each with whether a live process works on it (from its lock, which this never takes). */
    @Override
    public List<DownloadStatus> list() throws IOException {
        return store.list().stream()
                .map(d -> DownloadStatus.of(d).withRunning(locks.held(d.id())))
                .sorted(Comparator.comparing(DownloadStatus::updatedAt).reversed().thenComparing(DownloadStatus::id))
                .toList();
    }
}
