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
import static java.util.Objects.requireNonNull;

/**
 * An OS file lock on {@code <state-dir>/<id>.lock}, which holds the owner's process id. The kernel drops the lock
 * when the process dies, even by SIGKILL, so a crash never leaves a download locked.
 */
final class FileLocks implements Locks {
    private final Path directory;

    FileLocks(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    @Override
    public Optional<Lease> tryLock(DownloadId id) throws IOException {
        Files.createDirectories(directory);
        FileChannel channel = FileChannel.open(lockPath(id), StandardOpenOption.CREATE, StandardOpenOption.READ,
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
        return Optional.of(() -> {
            try {
                held.release();
            } finally {
                channel.close();
            }
        });
    }

    @Override
    public Optional<String> holder(DownloadId id) {
        try {
            String pid = Files.readString(lockPath(id), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? Optional.empty() : Optional.of(pid);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Path lockPath(DownloadId id) {
        return directory.resolve(id.value() + ".lock");
    }
}
