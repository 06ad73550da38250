package dev.skyloader.application.service;

import dev.skyloader.application.port.in.WakeDownloads;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.DownloadState;
import java.io.IOException;
import static java.util.Objects.requireNonNull;

/** {@code skyloader kick}: rings the state directory's bell, which every waiting download listens to. */
public final class WakeService implements WakeDownloads {
    private final StateStore store;
    private final Sleeper sleeper;
    private final Locks locks;

    public WakeService(StateStore store, Sleeper sleeper, Locks locks) {
        this.store = requireNonNull(store, "store is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.locks = requireNonNull(locks, "locks is null");
    }

    /**
     * Wakes them, and counts the downloads waiting out a backoff in a live process (those the kick wakes); a record
     * that says it waits, with no process behind it, waits for the next run of skyloader instead.
     */
    @Override
    public Woken wakeAll() throws IOException {
        int woken = 0;
        int orphaned = 0;
        for (var d : store.list()) {
            if (d.state() == DownloadState.PAUSED && d.nextAttemptAt().isPresent()) {
                if (locks.held(d.id())) {
                    woken++;
                } else {
                    orphaned++;
                }
            }
        }
        sleeper.wakeAll();
        return new Woken(woken, orphaned);
    }
}
