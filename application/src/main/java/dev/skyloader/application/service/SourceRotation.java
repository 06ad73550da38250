package dev.skyloader.application.service;

import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.domain.SourceUrl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import static java.util.Objects.requireNonNull;

/**
 * The URL and its mirrors, which one is in use, and which were given up on in this run. Prefers hosts whose circuit
 * breaker is closed; when every remaining host is being skipped, takes the next one anyway: a download never stalls
 * on its breakers alone.
 */
final class SourceRotation {
    private final List<SourceUrl> sources;
    private final HostHealth hosts;
    private final Map<Integer, String> dead = new LinkedHashMap<>();
    private int current;

    SourceRotation(List<SourceUrl> sources, HostHealth hosts) {
        this.sources = List.copyOf(requireNonNull(sources, "sources is null"));
        this.hosts = requireNonNull(hosts, "hosts is null");
        if (this.sources.isEmpty()) {
            throw new IllegalArgumentException("no source");
        }
        if (!hosts.available(current().origin())) {
            next();
        }
    }

    SourceUrl current() {
        return sources.get(current);
    }

    int size() {
        return sources.size();
    }

    /** Why each source given up on was given up on, in order. */
    List<String> deadReasons() {
        return new ArrayList<>(dead.values());
    }

    /** Never use the current source again in this run. */
    void giveUpOnCurrent(String reason) {
        dead.put(current, reason);
    }

    /** Moves to the next source still in play. */
    void next() {
        if (sources.size() == 1) {
            return;
        }
        int fallback = -1;
        for (int step = 1; step <= sources.size(); step++) {
            int candidate = (current + step) % sources.size();
            if (dead.containsKey(candidate)) {
                continue;
            }
            if (hosts.available(sources.get(candidate).origin())) {
                current = candidate;
                return;
            }
            if (fallback < 0) {
                fallback = candidate;
            }
        }
        if (fallback >= 0) {
            current = fallback;
        }
    }
}
