package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.ListDownloads;
import dev.skyloader.application.port.out.StateStore;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import static java.util.Objects.requireNonNull;

/** Reads every download of a state directory, most recently updated first. */
public final class StatusService implements ListDownloads {
    private final StateStore store;

    public StatusService(StateStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public List<DownloadStatus> list() throws IOException {
        return store.list().stream()
                .map(DownloadStatus::of)
                .sorted(Comparator.comparing(DownloadStatus::updatedAt).reversed().thenComparing(DownloadStatus::id))
                .toList();
    }
}
