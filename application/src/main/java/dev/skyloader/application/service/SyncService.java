package dev.skyloader.application.service;

import static java.util.Objects.requireNonNull;

import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.LocalStorageException;
import dev.skyloader.application.port.in.SyncArtifacts;
import dev.skyloader.application.port.in.SyncCommand;
import dev.skyloader.application.port.in.SyncCommand.Entry;
import dev.skyloader.application.port.in.SyncResult;
import dev.skyloader.application.port.in.SyncResult.Item;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sync use case: every artifact of an update, each through {@link DownloadArtifact} (so each resumes, verifies
 * and decrypts as {@code get} does), a few at a time, highest priority first. Entries that name the same artifact
 * (same SHA-256, cipher and key) are fetched once and the others get a hard link (or a copy) of it. The room the
 * whole update still needs is checked before the first byte. One artifact's failure never stops the others.
 */
public final class SyncService implements SyncArtifacts {
    private final DownloadArtifact downloads;
    private final StateStore store;
    private final FileStore files;
    private final long freeSpaceMargin;

    public SyncService(DownloadArtifact downloads, StateStore store, FileStore files, long freeSpaceMargin) {
        this.downloads = requireNonNull(downloads, "downloads is null");
        this.store = requireNonNull(store, "store is null");
        this.files = requireNonNull(files, "files is null");
        if (freeSpaceMargin < 0) {
            throw new IllegalArgumentException("freeSpaceMargin must not be negative");
        }
        this.freeSpaceMargin = freeSpaceMargin;
    }

    /** One artifact to fetch, and the entries that get what it fetched. */
    private record Group(Entry first, List<Entry> copies) {
    }

    @Override
    public SyncResult sync(SyncCommand command) throws InterruptedException {
        requireNonNull(command, "command is null");
        List<Group> groups = groups(command.entries());
        Optional<SyncResult> noRoom = checkRoom(command, groups);
        if (noRoom.isPresent()) {
            return noRoom.get();
        }
        Map<Entry, Item> items = new java.util.IdentityHashMap<>();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(command.parallel(), groups.size())),
                task -> {
                    Thread thread = new Thread(task, "skyloader-sync-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        try {
            // The pool's queue is first in, first out: the groups start in priority order.
            List<Future<List<Item>>> running = new ArrayList<>();
            for (Group group : groups) {
                running.add(pool.submit(() -> fetch(group)));
            }
            for (int i = 0; i < groups.size(); i++) {
                List<Item> done;
                try {
                    done = running.get(i).get();
                } catch (ExecutionException e) {
                    done = failedGroup(groups.get(i), "error: " + describe(e.getCause()));
                }
                Group group = groups.get(i);
                items.put(group.first(), done.get(0));
                for (int c = 0; c < group.copies().size(); c++) {
                    items.put(group.copies().get(c), done.get(c + 1));
                }
            }
        } finally {
            pool.shutdownNow();
            // Interrupted downloads record their state and return quickly; the caller waits for that.
            boolean stopped = false;
            while (!stopped) {
                try {
                    stopped = pool.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException again) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<Item> inOrder = command.entries().stream().map(items::get).toList();
        return new SyncResult(SyncResult.overall(inOrder), summary(inOrder), inOrder);
    }

    /** Entries by priority (stable), each artifact once, with the entries that share it. */
    private static List<Group> groups(List<Entry> entries) {
        List<Entry> ordered = entries.stream().sorted(Comparator.comparingInt(Entry::priority).reversed()).toList();
        List<Group> groups = new ArrayList<>();
        for (Entry entry : ordered) {
            Group same = groups.stream().filter(g -> sameArtifact(g.first().command(), entry.command()))
                    .findFirst().orElse(null);
            if (same == null) {
                Group group = new Group(entry, new ArrayList<>());
                groups.add(group);
            } else {
                same.copies().add(entry);
            }
        }
        return groups;
    }

    /** The same bytes served and the same plaintext: the same SHA-256, cipher, key and (when both say) size. */
    static boolean sameArtifact(DownloadCommand a, DownloadCommand b) {
        return a.sha256().equals(b.sha256()) && a.cipher() == b.cipher()
                && (a.expectedSize().isEmpty() || b.expectedSize().isEmpty()
                || a.expectedSize().equals(b.expectedSize()))
                && a.key().isPresent() == b.key().isPresent()
                && (a.key().isEmpty() || Arrays.equals(a.key().get().bytes(), b.key().get().bytes()));
    }

    private List<Item> fetch(Group group) throws InterruptedException {
        Entry first = group.first();
        DownloadResult result;
        try {
            result = downloads.download(first.command());
        } catch (LocalStorageException e) {
            return failedGroup(group, e.getMessage());
        }
        List<Item> items = new ArrayList<>();
        items.add(item(first, result.outcome(), result.message(), Optional.of(result.status())));
        for (Entry copy : group.copies()) {
            items.add(copyOf(first, copy, result));
        }
        return items;
    }

    private Item copyOf(Entry first, Entry copy, DownloadResult result) {
        Optional<DownloadStatus> status = Optional.of(result.status());
        if (result.outcome() != Outcome.COMPLETE) {
            return item(copy, result.outcome(), "the same artifact as " + first.name() + ": " + result.message(),
                    status);
        }
        String from = first.command().outputPath();
        String to = copy.command().outputPath();
        try {
            if (files.sameFile(from, to)) {
                return item(copy, Outcome.COMPLETE, "already in place (the same file as " + first.name() + ")",
                        status);
            }
            files.linkOrCopy(from, to);
        } catch (IOException e) {
            return item(copy, Outcome.FAILED, "cannot put " + first.name() + " in place as " + to + ": "
                    + describe(e), status);
        }
        String message = "the same artifact as " + first.name() + ": put in place without fetching it again";
        copy.command().listener().notice(DownloadService.idFor(copy.command().sha256(), to), copy.name() + ": "
                + message);
        return item(copy, Outcome.COMPLETE, message, status);
    }

    private static List<Item> failedGroup(Group group, String message) {
        List<Item> items = new ArrayList<>();
        items.add(item(group.first(), Outcome.FAILED, message, Optional.empty()));
        for (Entry copy : group.copies()) {
            items.add(item(copy, Outcome.FAILED, "the same artifact as " + group.first().name() + ": " + message,
                    Optional.empty()));
        }
        return items;
    }

    private static Item item(Entry entry, Outcome outcome, String message, Optional<DownloadStatus> status) {
        return new Item(entry.name(), entry.command().outputPath(), outcome, message, status);
    }

    /**
     * Before the first byte: the room every artifact still needs, folder by folder (what its part file does not
     * hold yet). More than the whole file system can never fit: that fails for good. More than is free now waits.
     */
    private Optional<SyncResult> checkRoom(SyncCommand command, List<Group> groups) {
        Map<String, Long> needed = new LinkedHashMap<>();
        for (Group group : groups) {
            DownloadCommand download = group.first().command();
            if (download.expectedSize().isEmpty()) {
                continue;
            }
            long have = 0;
            try {
                Download stored = store.load(DownloadService.idFor(download.sha256(), download.outputPath()))
                        .filter(d -> d.expectedSha256().equals(download.sha256())).orElse(null);
                if (stored != null && stored.state() == DownloadState.COMPLETE
                        && files.exists(download.outputPath())) {
                    continue;
                }
                have = stored == null ? 0 : stored.bytesDownloaded();
            } catch (IOException | RuntimeException e) {
                // an unreadable record counts as nothing on disk: the download itself will say more
            }
            needed.merge(folderOf(download.outputPath()), Math.max(0, download.expectedSize().getAsLong() - have),
                    Long::sum);
        }
        for (Map.Entry<String, Long> folder : needed.entrySet()) {
            long bytes = folder.getValue();
            if (bytes == 0) {
                continue;
            }
            long total;
            long free;
            try {
                total = files.totalSpace(folder.getKey());
                free = files.usableSpace(folder.getKey());
            } catch (IOException e) {
                continue; // the downloads find out for themselves, each with its own message
            }
            if (bytes > total) {
                return Optional.of(refused(command, Outcome.FAILED, "the update needs " + bytes + " bytes in "
                        + folder.getKey() + ", more than its whole file system holds (" + total + " bytes)"));
            }
            if (bytes + freeSpaceMargin > free) {
                return Optional.of(refused(command, Outcome.NOT_FINISHED, "not enough disk space in "
                        + folder.getKey() + ": the update still needs " + bytes + " bytes and a margin of "
                        + freeSpaceMargin + ", " + free + " are free; free some space and run again"));
            }
        }
        return Optional.empty();
    }

    private static SyncResult refused(SyncCommand command, Outcome outcome, String message) {
        List<Item> items = command.entries().stream()
                .map(e -> item(e, outcome, message, Optional.empty())).toList();
        return new SyncResult(outcome, message, items);
    }

    static String folderOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static String summary(List<Item> items) {
        long complete = items.stream().filter(i -> i.outcome() == Outcome.COMPLETE).count();
        long failed = items.stream().filter(i -> i.outcome() == Outcome.FAILED).count();
        long waiting = items.size() - complete - failed;
        StringBuilder text = new StringBuilder().append(complete).append(" of ").append(items.size())
                .append(" artifacts complete");
        if (failed > 0) {
            text.append(", ").append(failed).append(" failed");
        }
        if (waiting > 0) {
            text.append(", ").append(waiting).append(" not finished yet");
        }
        return text.toString();
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
