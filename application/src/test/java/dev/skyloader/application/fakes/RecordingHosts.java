package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.HostHealth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Host health with hosts a test marks as skipped; records every report of success and failure, in order. */
public final class RecordingHosts implements HostHealth {
    private final Set<String> skipped = new HashSet<>();
    private final List<String> succeeded = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();

    /** The breaker of {@code origin} is open: {@link #available} says false. */
    public synchronized RecordingHosts skip(String origin) {
        skipped.add(origin);
        return this;
    }

    @Override
    public synchronized boolean available(String origin) {
        return !skipped.contains(origin);
    }

    @Override
    public synchronized void succeeded(String origin) {
        succeeded.add(origin);
    }

    @Override
    public synchronized void failed(String origin) {
        failed.add(origin);
    }

    public synchronized List<String> successes() {
        return List.copyOf(succeeded);
    }

    public synchronized List<String> failures() {
        return List.copyOf(failed);
    }
}
