package dev.skyloader.application.port.out;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The local files of a download: the part file that receives the bytes served, and the output put in place at the
 * end. Paths are absolute path strings chosen by the caller.
 */
public interface FileStore {
    /**
     * A folder that cannot be written, and that no wait will change: a permission, a read-only file system, a file
     * where a folder is needed. A person has to act; a full disk is not this.
     */
    final class NotWritableException extends IOException {
        public NotWritableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Opens (creating it when missing) the part file at {@code path}. */
    PartFile openPart(String path) throws IOException;

    /**
     * A new temporary file in the folder of {@code finalPath}. Nothing appears at {@code finalPath} before
     * {@link StagedFile#commit()}; closing a staged file that was not committed deletes it.
     */
    StagedFile stage(String finalPath) throws IOException;

    /**
     * Deletes what staged files of {@code finalPath} a killed process left behind (never committed, never closed).
     * Call it only while holding the download's lock: a staged file in use is indistinguishable from a stale one.
     */
    void deleteStaged(String finalPath) throws IOException;

    /** Atomically renames {@code from} to {@code to} (same folder or file system), replacing {@code to}, durably. */
    void moveIntoPlace(String from, String to) throws IOException;

    boolean exists(String path);

    /** The size of the file at {@code path}, empty when there is none. */
    java.util.OptionalLong size(String path) throws IOException;

    /** Bytes that can still be written in the folder of {@code path} (which need not exist yet). */
    long usableSpace(String path) throws IOException;

    /** The size of the whole file system that holds the folder of {@code path}: what can never be exceeded. */
    long totalSpace(String path) throws IOException;

    /** Deletes the file if present. */
    void delete(String path) throws IOException;

    /** Whether both paths name one file (the same file, or hard links to it); false when either is missing. */
    boolean sameFile(String a, String b) throws IOException;

    /**
     * Puts at {@code to} the file at {@code from}, atomically and durably, replacing what {@code to} was: a hard link
     * where the file system has them, else a copy. Nothing half-written ever appears at {@code to}.
     */
    void linkOrCopy(String from, String to) throws IOException;

    /** Reads a whole file from its first byte (a seed of a delta update). */
    InputStream openRead(String path) throws IOException;

    /**
     * The file being downloaded into. One thread writes while another may read and a third sync: implementations
     * allow that.
     */
    interface PartFile extends Closeable {
        long size() throws IOException;

        /** Writes every byte given at {@code position}, growing the file as needed. */
        void write(long position, byte[] bytes, int offset, int length) throws IOException;

        /**
         * Reads up to {@code length} bytes at {@code position}.
         *
         * @return bytes read, {@code -1} at or beyond the end of the file
         */
        int read(long position, byte[] bytes, int offset, int length) throws IOException;

        /** Cuts the file to {@code size} bytes (no-op when it is not longer). */
        void truncate(long size) throws IOException;

        /** Writes at the end of the file. */
        default void append(byte[] bytes, int offset, int length) throws IOException {
            write(size(), bytes, offset, length);
        }

        /** Returns once every byte written before the call is on stable storage (fdatasync). */
        void sync() throws IOException;

        /** Reads the file from its first byte; independent of appends. */
        InputStream openReader() throws IOException;
    }

    /** A temporary file that becomes the output only when committed. */
    interface StagedFile extends Closeable {
        OutputStream output();

        /** Flushes, fsyncs and renames into place atomically. */
        void commit() throws IOException;

        /** Deletes the temporary file unless it was committed. */
        @Override
        void close() throws IOException;
    }
}
