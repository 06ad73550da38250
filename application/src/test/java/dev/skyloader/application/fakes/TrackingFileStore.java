package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.FileStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

/**
 * An {@link InMemoryFileStore} that records what is done to its files, in order ({@code "sync /p"},
 * {@code "close /p"}, {@code "truncate /p 40"}, {@code "move /p -> /o"}, {@code "delete /p"}), for the tests that care
 * about the order of syncs, closes and renames. Reads of part files can be held at a gate, and the test can wait
 * until one is held there; they can be made short. A write, or a sync, can be made to fail.
 */
public final class TrackingFileStore implements FileStore {
    private final InMemoryFileStore files;
    private final List<String> events = new ArrayList<>();
    private volatile CountDownLatch gate;
    private volatile CountDownLatch held;
    private volatile int maxRead = Integer.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicLong failWriteAt = new java.util.concurrent.atomic.AtomicLong(-1);

    public TrackingFileStore(InMemoryFileStore files) {
        this.files = files;
    }

    /** Holds every read of a part file until {@code open} counts down; {@link #awaitHeldRead()} sees one arrive. */
    public void holdReads(CountDownLatch open) {
        this.held = new CountDownLatch(1);
        this.gate = open;
    }

    /** Every read of a part file returns at most {@code bytes} bytes, as a read of a real file may. */
    public void shortReads(int bytes) {
        this.maxRead = bytes;
    }

    private volatile IOException failOpen;

    /** Every open of a part file fails with {@code e}. */
    public void failOpenWith(IOException e) {
        this.failOpen = e;
    }

    /** The next write to a part file that covers byte {@code position} fails, writing nothing, as on a full disk. */
    public void failWriteAt(long position) {
        failWriteAt.set(position);
    }

    private final java.util.concurrent.atomic.AtomicReference<IOException> failSync =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** The next sync of a part file fails with {@code e} (a failed writeback); later ones succeed. */
    public void failNextSync(IOException e) {
        failSync.set(e);
    }

    /** Waits until a read is held at the gate. */
    public void awaitHeldRead() throws InterruptedException {
        held.await();
    }

    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    private synchronized void record(String event) {
        events.add(event);
    }

    @Override
    public PartFile openPart(String path) throws IOException {
        if (failOpen != null) {
            throw failOpen;
        }
        PartFile part = files.openPart(path);
        record("open " + path);
        return new PartFile() {
            @Override
            public long size() throws IOException {
                return part.size();
            }

            @Override
            public void write(long position, byte[] bytes, int offset, int length) throws IOException {
                long failing = failWriteAt.get();
                if (failing >= position && failing < position + length && failWriteAt.compareAndSet(failing, -1)) {
                    throw new IOException("No space left on device");
                }
                part.write(position, bytes, offset, length);
            }

            @Override
            public int read(long position, byte[] bytes, int offset, int length) throws IOException {
                CountDownLatch open = gate;
                if (open != null) {
                    held.countDown();
                    try {
                        open.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("read interrupted");
                    }
                }
                return part.read(position, bytes, offset, Math.min(length, maxRead));
            }

            @Override
            public void truncate(long size) throws IOException {
                record("truncate " + path + " " + size);
                part.truncate(size);
            }

            @Override
            public void sync() throws IOException {
                record("sync " + path);
                IOException failing = failSync.getAndSet(null);
                if (failing != null) {
                    throw failing;
                }
                part.sync();
            }

            @Override
            public InputStream openReader() throws IOException {
                return part.openReader();
            }

            @Override
            public void close() throws IOException {
                record("close " + path);
                part.close();
            }
        };
    }

    @Override
    public StagedFile stage(String finalPath) throws IOException {
        return files.stage(finalPath);
    }

    @Override
    public void deleteStaged(String finalPath) {
        record("delete staged " + finalPath);
        files.deleteStaged(finalPath);
    }

    @Override
    public void moveIntoPlace(String from, String to) throws IOException {
        record("move " + from + " -> " + to);
        files.moveIntoPlace(from, to);
    }

    @Override
    public java.io.InputStream openRead(String path) throws IOException {
        return files.openRead(path);
    }

    @Override
    public boolean exists(String path) {
        return files.exists(path);
    }

    @Override
    public OptionalLong size(String path) throws IOException {
        return files.size(path);
    }

    @Override
    public long usableSpace(String path) throws IOException {
        return files.usableSpace(path);
    }

    @Override
    public long totalSpace(String path) throws IOException {
        return files.totalSpace(path);
    }

    @Override
    public boolean sameFile(String a, String b) throws IOException {
        return files.sameFile(a, b);
    }

    private volatile IOException failLink;

    /** Every link or copy fails with {@code e}. */
    public void failLinkWith(IOException e) {
        this.failLink = e;
    }

    @Override
    public void linkOrCopy(String from, String to) throws IOException {
        if (failLink != null) {
            throw failLink;
        }
        record("link " + from + " " + to);
        files.linkOrCopy(from, to);
    }

    @Override
    public void delete(String path) throws IOException {
        record("delete " + path);
        files.delete(path);
    }
}
