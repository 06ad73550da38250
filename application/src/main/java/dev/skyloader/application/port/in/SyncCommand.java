package dev.skyloader.application.port.in;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The artifacts of one update.
 *
 * @param entries  what to fetch, in the manifest's order; each names its own output
 * @param parallel how many artifacts are fetched at once
 */
public record SyncCommand(List<Entry> entries, int parallel) {
    /**
     * One artifact of the update.
     *
     * @param name     how the operator knows it (the manifest's {@code name})
     * @param priority higher goes first; equal priorities keep the manifest's order
     * @param command  the download, as {@code get} would run it
     */
    public record Entry(String name, int priority, DownloadCommand command) {
        public Entry {
            requireNonNull(name, "name is null");
            requireNonNull(command, "command is null");
        }
    }

    public SyncCommand {
        entries = List.copyOf(requireNonNull(entries, "entries is null"));
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        }
        Set<String> outputs = new HashSet<>();
        for (Entry entry : entries) {
            if (!outputs.add(entry.command().outputPath())) {
                throw new IllegalArgumentException("two entries write " + entry.command().outputPath());
            }
        }
    }
}
