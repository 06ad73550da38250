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
        Path file = Path.of(path);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        if (created) {
            Fsync.directory(parent);
        }
        return new LocalPartFile(file, channel);
    }

    @Override
    public StagedFile stage(String finalPath) throws IOException {
        Path target = Path.of(finalPath).toAbsolutePath();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        Path temp = parent.resolve("." + target.getFileName() + ".skyloader-" + HexFormat.of().formatHex(suffix));
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new LocalStagedFile(temp, target, channel);
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
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        Path temp = target.getParent().resolve("." + target.getFileName() + ".skyloader-"
                + HexFormat.of().formatHex(suffix));
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

    private static final class LocalPartFile implements PartFile {
        private final Path path;
        private final FileChannel channel;
        /** The end of the file, kept here so that an append costs no fstat. This process is its only writer. */
        private volatile long end;
        private boolean closed;

        LocalPartFile(Path path, FileChannel channel) throws IOException {
            this.path = path;
            this.channel = channel;
            this.end = channel.size();
        }

        @Override
        public long size() throws IOException {
            end = channel.size();
            return end;
        }

        @Override
        public void truncate(long size) throws IOException {
            if (channel.size() > size) {
                channel.truncate(size);
            }
            end = channel.size();
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            write(end, bytes, offset, length);
        }

        @Override
        public void write(long position, byte[] bytes, int offset, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            long at = position;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            if (at > end) {
                end = at;
            }
        }

        @Override
        public int read(long position, byte[] bytes, int offset, int length) throws IOException {
            return channel.read(ByteBuffer.wrap(bytes, offset, length), position);
        }

        @Override
        public void sync() throws IOException {
            // fdatasync: the data and the new length, which is what a later read needs.
            channel.force(false);
        }

        @Override
        public InputStream openReader() throws IOException {
            return Files.newInputStream(path);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                channel.close();
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
