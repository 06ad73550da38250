package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.FileStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Files as byte arrays. Tracks what was synced, so tests can tell durable bytes from cached ones. */
public final class InMemoryFileStore implements FileStore {
    private final Map<String, ByteArrayOutputStream> files = new HashMap<>();
    private final Map<String, Integer> synced = new HashMap<>();
    private int staged;
    private long capacity = Long.MAX_VALUE;
    private volatile java.util.concurrent.CountDownLatch readGate;

    @Override
    public synchronized PartFile openPart(String path) {
        files.computeIfAbsent(path, p -> new ByteArrayOutputStream());
        return new PartFile() {
            @Override
            public long size() {
                return content(path).length;
            }

            @Override
            public void truncate(long size) {
                synchronized (InMemoryFileStore.this) {
                    byte[] bytes = content(path);
                    if (size < bytes.length) {
                        ByteArrayOutputStream file = files.get(path);
                        file.reset();
                        file.writeBytes(Arrays.copyOf(bytes, (int) size));
                        synced.computeIfPresent(path, (p, n) -> (int) Math.min(n, size));
                    }
                }
            }

            @Override
            public void write(long position, byte[] bytes, int offset, int length) throws IOException {
                synchronized (InMemoryFileStore.this) {
                    ByteArrayOutputStream file = files.get(path);
                    if (file == null) {
                        throw new IOException("part file was deleted: " + path);
                    }
                    byte[] now = file.toByteArray();
                    long end = Math.max(now.length, position + length);
                    long growth = end - now.length;
                    boolean full = used() + growth > capacity;
                    if (full) {
                        long room = Math.max(0, capacity - used());
                        length = (int) Math.max(0, Math.min(length, now.length + room - position));
                        end = Math.max(now.length, position + length);
                    }
                    byte[] next = Arrays.copyOf(now, (int) end);
                    System.arraycopy(bytes, offset, next, (int) position, length);
                    file.reset();
                    file.writeBytes(next);
                    if (full) {
                        throw new IOException("No space left on device");
                    }
                }
            }

            @Override
            public int read(long position, byte[] bytes, int offset, int length) throws IOException {
                java.util.concurrent.CountDownLatch gate = readGate;
                if (gate != null) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("read interrupted");
                    }
                }
                synchronized (InMemoryFileStore.this) {
                    byte[] now = content(path);
                    if (now == null || position >= now.length) {
                        return -1;
                    }
                    int n = (int) Math.min(length, now.length - position);
                    System.arraycopy(now, (int) position, bytes, offset, n);
                    return n;
                }
            }

            @Override
            public void sync() {
                synchronized (InMemoryFileStore.this) {
                    ByteArrayOutputStream file = files.get(path);
                    if (file != null) {
                        synced.put(path, file.size());
                    }
                }
            }

            @Override
            public InputStream openReader() {
                return new ByteArrayInputStream(content(path));
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public synchronized StagedFile stage(String finalPath) {
        String temp = finalPath + ".staged-" + (++staged);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.put(temp, out);
        return new StagedFile() {
            private boolean committed;

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public void commit() {
                synchronized (InMemoryFileStore.this) {
                    files.put(finalPath, files.remove(temp));
                    synced.put(finalPath, files.get(finalPath).size());
                    committed = true;
                }
            }

            @Override
            public void close() {
                if (!committed) {
                    synchronized (InMemoryFileStore.this) {
                        files.remove(temp);
                    }
                }
            }
        };
    }

    @Override
    public synchronized void moveIntoPlace(String from, String to) throws IOException {
        ByteArrayOutputStream file = files.remove(from);
        if (file == null) {
            throw new IOException("no such file: " + from);
        }
        files.put(to, file);
        synced.remove(from);
        synced.put(to, file.size());
    }

    @Override
    public synchronized void deleteStaged(String finalPath) {
        files.keySet().removeIf(path -> path.startsWith(finalPath + ".staged-"));
    }

    /** Until the gate opens, every read of a part file waits (a slow disk, a verifier held back). */
    public void holdReads(java.util.concurrent.CountDownLatch gate) {
        this.readGate = gate;
    }

    /**
     * The machine lost power: every file keeps the bytes synced last, and whatever was written after that turns into
     * zeros (the length a power loss leaves is as arbitrary as the content).
     */
    public synchronized void powerLoss() {
        for (Map.Entry<String, ByteArrayOutputStream> entry : files.entrySet()) {
            byte[] now = entry.getValue().toByteArray();
            int kept = Math.min(now.length, synced.getOrDefault(entry.getKey(), 0));
            Arrays.fill(now, kept, now.length, (byte) 0);
            entry.getValue().reset();
            entry.getValue().writeBytes(now);
        }
    }

    @Override
    public synchronized java.util.OptionalLong size(String path) {
        ByteArrayOutputStream file = files.get(path);
        return file == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(file.size());
    }

    @Override
    public synchronized long usableSpace(String path) {
        return capacity == Long.MAX_VALUE ? Long.MAX_VALUE : capacity - used();
    }

    /** A disk of this many bytes in all; appends beyond it fail as a full disk does. */
    public synchronized void capacity(long bytes) {
        this.capacity = bytes;
    }

    private long used() {
        // distinct: hard links share one buffer (identity), and take its space once
        return files.values().stream().distinct().mapToLong(ByteArrayOutputStream::size).sum();
    }

    @Override
    public synchronized long totalSpace(String path) {
        return capacity;
    }

    @Override
    public synchronized boolean sameFile(String a, String b) {
        ByteArrayOutputStream file = files.get(a);
        return file != null && file == files.get(b);
    }

    /** A hard link: both paths name one buffer from now on. */
    @Override
    public synchronized void linkOrCopy(String from, String to) throws IOException {
        ByteArrayOutputStream file = files.get(from);
        if (file == null) {
            throw new IOException("no such file: " + from);
        }
        files.put(to, file);
        synced.put(to, synced.getOrDefault(from, 0));
    }

    @Override
    public synchronized java.io.InputStream openRead(String path) throws IOException {
        ByteArrayOutputStream file = files.get(path);
        if (file == null) {
            throw new java.io.FileNotFoundException(path);
        }
        return new java.io.ByteArrayInputStream(file.toByteArray());
    }

    @Override
    public synchronized boolean exists(String path) {
        return files.containsKey(path);
    }

    @Override
    public synchronized void delete(String path) {
        files.remove(path);
        synced.remove(path);
    }

    public synchronized byte[] content(String path) {
        ByteArrayOutputStream file = files.get(path);
        return file == null ? null : file.toByteArray();
    }

    public synchronized void put(String path, byte[] bytes) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(bytes);
        files.put(path, file);
        synced.put(path, bytes.length);
    }

    /** Every path that exists, for checks that nothing was left behind. */
    public synchronized java.util.Set<String> paths() {
        return java.util.Set.copyOf(files.keySet());
    }
}
