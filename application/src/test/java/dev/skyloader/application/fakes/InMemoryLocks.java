package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.Locks;
import dev.skyloader.domain.DownloadId;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** Locks in a set; {@link #holdFor} pretends another process holds one. */
public final class InMemoryLocks implements Locks {
    private final Set<DownloadId> held = new HashSet<>();

    @Override
    public synchronized Optional<Lease> tryLock(DownloadId id) {
        if (!held.add(id)) {
            return Optional.empty();
        }
        return Optional.of(() -> {
            synchronized (InMemoryLocks.this) {
                held.remove(id);
            }
        });
    }

    @Override
    public Optional<String> holder(DownloadId id) {
        return Optional.of("4242");
    }

    @Override
    public synchronized boolean held(DownloadId id) {
        return held.contains(id);
    }

    public synchronized void holdFor(DownloadId id) {
        held.add(id);
    }

    public synchronized boolean isHeld(DownloadId id) {
        return held.contains(id);
    }
}
