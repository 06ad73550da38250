package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.FileStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Part files and staged outputs on the local file system. */
final class LocalFileStore implements FileStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public PartFile openPart(String path) throws IOException {
        try {
            return openPartFile(path);
        } catch (IOException e) {
            throw notWritable(e) ? new NotWritableException(describe(e), e) : e;
        }
    }

    /**
     * Whether no wait can make the folder writable: a permission, a read-only file system, a file in the way.
     * {@link java.io.RandomAccessFile} says it only in its message.
     */
    static boolean notWritable(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException || e instanceof java.nio.file.NotDirectoryException
                || e instanceof java.nio.file.FileAlreadyExistsException) {
            return true;
        }
        String message = String.valueOf(e.getMessage());
        return message.contains("Permission denied") || message.contains("Read-only file system")
                || message.contains("Not a directory");
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return e.getMessage() + " is a file where a folder is needed";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private PartFile openPartFile(String path) throws IOException {
        Path file = Path.of(path);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean created = !Files.exists(file);
        LocalPartFile part = new LocalPartFile(file);
        if (created) {
            Fsync.directory(parent);
        }
        return part;
    }

    @Override
    public StagedFile stage(String finalPath) throws IOException {
        Path target = Path.of(finalPath).toAbsolutePath();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path temp = tempBeside(target);
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new LocalStagedFile(temp, target, channel);
    }

    /** A new temporary name beside {@code target}, of the shape {@link #deleteStaged} finds: {@code .NAME.skyloader-*}. */
    private static Path tempBeside(Path target) {
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        return target.getParent().resolve("." + target.getFileName() + ".skyloader-" + HexFormat.of().formatHex(suffix));
    }

    @Override
    public void deleteStaged(String finalPath) throws IOException {
        Path target = Path.of(finalPath).toAbsolutePath();
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            return;
        }
        boolean deleted = false;
        try (var entries = Files.newDirectoryStream(parent, "." + target.getFileName() + ".skyloader-*")) {
            for (Path stale : entries) {
                deleted |= Files.deleteIfExists(stale);
            }
        }
        if (deleted) {
            Fsync.directory(parent);
        }
    }

    @Override
    public void moveIntoPlace(String from, String to) throws IOException {
        Path target = Path.of(to).toAbsolutePath();
        Files.createDirectories(target.getParent());
        Files.move(Path.of(from), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Fsync.directory(target.getParent());
    }

    @Override
    public java.io.InputStream openRead(String path) throws IOException {
        return Files.newInputStream(Path.of(path));
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path));
    }

    @Override
    public java.util.OptionalLong size(String path) throws IOException {
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            return java.util.OptionalLong.empty();
        }
        try {
            return java.util.OptionalLong.of(Files.size(file));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.OptionalLong.empty();
        }
    }

    @Override
    public long usableSpace(String path) throws IOException {
        return Files.getFileStore(existingAbove(path)).getUsableSpace();
    }

    @Override
    public long totalSpace(String path) throws IOException {
        return Files.getFileStore(existingAbove(path)).getTotalSpace();
    }

    private static Path existingAbove(String path) throws IOException {
        Path existing = Path.of(path).toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new IOException("no existing folder above " + path);
        }
        return existing;
    }

    @Override
    public boolean sameFile(String a, String b) throws IOException {
        Path first = Path.of(a);
        Path second = Path.of(b);
        return Files.isRegularFile(first) && Files.isRegularFile(second) && Files.isSameFile(first, second);
    }

    @Override
    public void linkOrCopy(String from, String to) throws IOException {
        Path source = Path.of(from).toAbsolutePath();
        Path target = Path.of(to).toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = tempBeside(target);
        try {
            Files.createLink(temp, source);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            // No hard links here (FAT, some network file systems): a copy does the same job.
            try (StagedFile copy = stage(to)) {
                try (var in = Files.newInputStream(source)) {
                    in.transferTo(copy.output());
                }
                copy.commit();
            }
            return;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        Fsync.directory(target.getParent());
    }

    @Override
    public void delete(String path) throws IOException {
        Path file = Path.of(path).toAbsolutePath();
        if (Files.deleteIfExists(file)) {
            Fsync.directory(file.getParent());
        }
    }

    /**
     * A part file on two {@link java.io.RandomAccessFile}s, one for the writers and one for the readers. Unlike a
     * file channel, they do not close when a thread using them is interrupted, which is how a download is stopped:
     * the bytes it wrote must still be synced and counted after that.
     */
    private static final class LocalPartFile implements PartFile {
        private final Path path;
        private static final int WRITE_SLICE = 1 << 20;
        private final java.io.RandomAccessFile writer;
        private final java.io.RandomAccessFile reader;
        /** The end of the file, kept here so that an append costs no fstat. This process is its only writer. */
        private volatile long end;
        private boolean closed;

        LocalPartFile(Path path) throws IOException {
            this.path = path;
            this.writer = new java.io.RandomAccessFile(path.toFile(), "rw");
            java.io.RandomAccessFile opened;
            try {
                opened = new java.io.RandomAccessFile(path.toFile(), "r");
            } catch (IOException e) {
                writer.close();
                throw e;
            }
            this.reader = opened;
            this.end = writer.length();
        }

        @Override
        public long size() throws IOException {
            synchronized (writer) {
                end = writer.length();
                return end;
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (writer) {
                if (writer.length() > size) {
                    writer.setLength(size);
                }
                end = writer.length();
            }
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            synchronized (writer) {
                write(end, bytes, offset, length);
            }
        }

        @Override
        public void write(long position, byte[] bytes, int offset, int length) throws IOException {
            synchronized (writer) {
                writer.seek(position);
                // In slices: RandomAccessFile copies a write through a native buffer of its size, and one of
                // several MiB costs more than the write itself (4 MiB writes ran at 0.4 GB/s, 1 MiB at 4 GB/s).
                for (int at = 0; at < length; at += WRITE_SLICE) {
                    writer.write(bytes, offset + at, Math.min(WRITE_SLICE, length - at));
                }
                if (position + length > end) {
                    end = position + length;
                }
            }
        }

        @Override
        public int read(long position, byte[] bytes, int offset, int length) throws IOException {
            synchronized (reader) {
                reader.seek(position);
                return reader.read(bytes, offset, length);
            }
        }

        @Override
        public void sync() throws IOException {
            // fsync: the data and the new length, which is what a later read needs.
            writer.getFD().sync();
        }

        @Override
        public InputStream openReader() throws IOException {
            return new java.io.FileInputStream(path.toFile());
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                try {
                    writer.close();
                } finally {
                    reader.close();
                }
            }
        }
    }

    private static final class LocalStagedFile implements StagedFile {
        private final Path temp;
        private final Path target;
        private final FileChannel channel;
        private final OutputStream output;
        private boolean committed;

        LocalStagedFile(Path temp, Path target, FileChannel channel) {
            this.temp = temp;
            this.target = target;
            this.channel = channel;
            this.output = new BufferedOutputStream(Channels.newOutputStream(channel), 256 << 10) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        @Override
        public OutputStream output() {
            return output;
        }

        @Override
        public void commit() throws IOException {
            output.flush();
            channel.force(true);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
            Fsync.directory(target.getParent());
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                channel.close();
                Files.deleteIfExists(temp);
            }
        }
    }
}
