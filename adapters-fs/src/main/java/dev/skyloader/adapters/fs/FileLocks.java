package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.Locks;
import dev.skyloader.domain.DownloadId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import static java.util.Objects.requireNonNull;

/**
 * An OS file lock on {@code <state-dir>/<id>.lock}, which holds the owner's process id. The kernel drops the lock
 * when the process dies, even by SIGKILL, so a crash never leaves a download locked.
 */
final class FileLocks implements Locks {
    /**
     * The lock files this process holds, whichever FileLocks took them. On Linux the lock belongs to the process,
     * and closing any descriptor of the file drops it: a refused second try, or reading the holder, from inside
     * this process would let another process in. So a lock file held here is never opened again here.
     */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path directory;

    FileLocks(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    @Override
    public Optional<Lease> tryLock(DownloadId id) throws IOException {
        Path path = lockPath(id);
        if (!HELD_HERE.add(path)) {
            return Optional.empty();
        }
        boolean handedOut = false;
        try {
            Optional<Lease> lease = lock(path);
            handedOut = lease.isPresent();
            return lease;
        } finally {
            if (!handedOut) {
                HELD_HERE.remove(path);
            }
        }
    }

    private static Optional<Lease> lock(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        FileLock held = lock;
        AtomicBoolean closed = new AtomicBoolean();
        return Optional.of(() -> {
            // Once only: a second close must not free the path of a lease taken since.
            if (closed.getAndSet(true)) {
                return;
            }
            try {
                try {
                    // No process id is left behind for status to mistake for a live holder.
                    channel.truncate(0);
                } catch (IOException e) {
                    // An interrupted thread closes the channel here, which lets go of the lock just as well.
                }
                if (channel.isOpen()) {
                    held.release();
                }
            } finally {
                try {
                    channel.close();
                } finally {
                    HELD_HERE.remove(path);
                }
            }
        });
    }

    @Override
    public Optional<String> holder(DownloadId id) {
        Path path = lockPath(id);
        // Reserved while reading, so that no thread of this process takes the lock and then loses it to our close.
        if (!HELD_HERE.add(path)) {
            return Optional.of(Long.toString(ProcessHandle.current().pid()));
        }
        try {
            String pid = Files.readString(path, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? Optional.empty() : Optional.of(pid);
        } catch (IOException e) {
            return Optional.empty();
        } finally {
            HELD_HERE.remove(path);
        }
    }

    /**
     * The process id the lock file names, alive: the holder writes it when it takes the lock and clears it when it
     * lets go; a process killed with SIGKILL leaves its id behind, and then no live process has it.
     */
    @Override
    public boolean held(DownloadId id) {
        return holder(id).map(pid -> {
            try {
                return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
            } catch (NumberFormatException e) {
                return false;
            }
        }).orElse(false);
    }

    private Path lockPath(DownloadId id) {
        return directory.resolve(id.value() + ".lock").toAbsolutePath().normalize();
    }
}
