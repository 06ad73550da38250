package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.Sleeper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import static java.util.Objects.requireNonNull;

/**
 * Sleeps while watching {@code <state-dir>/kick}: {@link #wakeAll()} rewrites that file, and every sleeper of the
 * same state directory, in any process, notices within one poll interval and wakes. A file, not a signal: it works
 * across containers sharing the volume and needs no process ids.
 */
final class KickFileSleeper implements Sleeper {
    private final Path kickFile;
    private final Duration pollInterval;

    KickFileSleeper(Path stateDirectory, Duration pollInterval) {
        this.kickFile = requireNonNull(stateDirectory, "stateDirectory is null").resolve("kick");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
    }

    @Override
    public boolean sleep(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        String before = lastKick();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), (left + 999_999) / 1_000_000)));
            if (!Objects.equals(before, lastKick())) {
                return true;
            }
        }
    }

    @Override
    public void wakeAll() throws IOException {
        Files.createDirectories(kickFile.getParent());
        Path temp = kickFile.resolveSibling(".kick." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(temp, Instant.now() + " " + ProcessHandle.current().pid() + " " + System.nanoTime() + "\n",
                StandardCharsets.US_ASCII);
        Files.move(temp, kickFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String lastKick() {
        try {
            return Files.readString(kickFile, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // Unreadable for a moment: treat as unchanged, the next poll looks again.
            return null;
        }
    }
}
