package dev.skyloader.application.service;

import dev.skyloader.application.port.in.WakeDownloads;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.DownloadState;
import java.io.IOException;
import static java.util.Objects.requireNonNull;

/** {@code skyloader kick}: rings the state directory's bell, which every waiting download listens to. */
public final class WakeService implements WakeDownloads {
    private final StateStore store;
    private final Sleeper sleeper;

    public WakeService(StateStore store, Sleeper sleeper) {
        this.store = requireNonNull(store, "store is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public int wakeAll() throws IOException {
        int waiting = (int) store.list().stream()
                .filter(d -> d.state() == DownloadState.PAUSED && d.nextAttemptAt().isPresent())
                .count();
        sleeper.wakeAll();
        return waiting;
    }
}
