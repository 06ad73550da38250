package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.ListDownloads;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.application.port.out.StateStore;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import static java.util.Objects.requireNonNull;

/** Reads every download of a state directory, most recently updated first. */
public final class StatusService implements ListDownloads {
    private final StateStore store;
    private final Locks locks;

    private final FileStore files;

    public StatusService(StateStore store, Locks locks, FileStore files) {
        this.store = requireNonNull(store, "store is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.files = requireNonNull(files, "files is null");
    }

    /**
     * Forgets the complete downloads whose output is gone, and those a newer download of the same output has
     * replaced (a new version of the artifact put in the same place).
     */
    @Override
    public List<DownloadStatus> prune() throws IOException {
        List<DownloadStatus> removed = new java.util.ArrayList<>();
        List<Download> all = store.list();
        for (Download d : all) {
            boolean replaced = all.stream().anyMatch(other -> other != d
                    && other.outputPath().equals(d.outputPath()) && other.updatedAt().isAfter(d.updatedAt()));
            boolean gone = !files.exists(d.outputPath());
            if (d.state() != DownloadState.COMPLETE || !(gone || replaced) || locks.held(d.id())) {
                continue;
            }
            if (replaced && !gone) {
                // The output is the newer download's now: only the old record goes.
                store.delete(d.id());
                removed.add(DownloadStatus.of(d).withRunning(false));
                continue;
            }
            if (all.stream().noneMatch(other -> other != d && other.partPath().equals(d.partPath()))) {
                // A part file another record names is that download's (a newer version under way): it stays.
                files.delete(d.partPath());
            }
            store.delete(d.id());
            removed.add(DownloadStatus.of(d).withRunning(false));
        }
        return removed;
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
