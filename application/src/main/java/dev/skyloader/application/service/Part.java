package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import dev.skyloader.domain.PieceMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * The part file of one run with the two threads that follow it: the verifier, which re-derives and hashes what was
 * served, and the syncer, which makes it durable. Offsets here are part offsets, i.e. body offsets: served byte
 * {@code header + i} is part byte {@code i}.
 */
final class Part implements AutoCloseable {
    private final FileStore files;
    private final String path;
    private final Journal journal;
    private final Digest digest;
    private final Cipher cipher;
    private final CipherName cipherName;
    private final Optional<AesKey> key;
    private final TransferSettings settings;
    private PartFile file;
    private Syncer syncer;
    private volatile Verifier verifier;
    /** Part ranges written so far, by this run or kept from an earlier one. */
    private PieceMap written = PieceMap.empty();
    /** Part bytes present when the state last heard of them. */
    private long reported;
    /** When it last heard of them (the clock's millis), by a report of {@link #write}. */
    private long reportedAtMillis = Long.MIN_VALUE / 2;

    Part(FileStore files, String path, Journal journal, Digest digest, Cipher cipher, CipherName cipherName,
         Optional<AesKey> key, TransferSettings settings) {
        this.files = requireNonNull(files, "files is null");
        this.path = requireNonNull(path, "path is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.digest = requireNonNull(digest, "digest is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.cipherName = requireNonNull(cipherName, "cipherName is null");
        this.key = requireNonNull(key, "key is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** There is no room for the rest of the artifact: a person must free some; until then, nothing is fetched. */
    static final class NoRoomException extends IOException {
        NoRoomException(String message) {
            super(message);
        }
    }

    /**
     * The room check of a download without a size given: once a server tells the artifact's size, the disk must hold
     * what the part does not yet, and the margin, before the body is read.
     */
    void checkRoomFor(long servedTotal) throws IOException {
        long needed = Math.max(0, servedTotal - cipherName.headerBytes() - present()) + settings.freeSpaceMargin();
        long free = files.usableSpace(path);
        if (free < needed) {
            throw new NoRoomException("not enough disk space for " + path + ": the server says the artifact is "
                    + servedTotal + " bytes; " + needed + " bytes needed (the rest and a margin), " + free
                    + " free; free some space and run again");
        }
    }

    /** Opens the part file, keeping its first {@code keep} bytes and cutting the rest. */
    void open(long keep) throws IOException {
        open(PieceMap.prefixOf(keep));
    }

    /** Opens the part file, keeping the ranges of {@code keep} and cutting what lies beyond the last. */
    void open(PieceMap keep) throws IOException {
        file = files.openPart(path);
        List<PieceMap.Range> ranges = keep.ranges();
        long end = ranges.isEmpty() ? 0 : ranges.get(ranges.size() - 1).end();
        file.truncate(end);
        synchronized (this) {
            written = keep.truncatedTo(file.size());
            reported = written.present();
        }
        syncer = new Syncer(file, new Syncer.Marks() {
            @Override
            public PieceMap snapshot(long partBytes) {
                return written();
            }

            @Override
            public void durable(PieceMap synced) throws IOException {
                Part.this.durable(synced);
            }
        }, journal.clock(), settings.checkpointBytes(), settings.checkpointInterval());
    }

    /** Part bytes present from byte 0 without a gap. */
    synchronized long size() {
        return written.prefix();
    }

    /** The part's ranges written so far. */
    synchronized PieceMap written() {
        return written;
    }

    /** Part bytes present, gaps aside. */
    synchronized long present() {
        return written.present();
    }

    /** Served bytes that the part and the header stand for. */
    long servedBytes() {
        return journal.read(d -> d.header().isPresent() || cipherName.headerBytes() == 0)
                ? cipherName.headerBytes() + present() : 0;
    }

    /** The header is known (from the state, or just received): the verifier can start from part byte 0. */
    synchronized void startVerifier() {
        if (verifier != null) {
            return;
        }
        byte[] header = header().orElseThrow(() -> new IllegalStateException("no header yet"));
        verifier = new Verifier(file, digest, () -> cipherName == CipherName.NONE ? new Identity()
                : cipher.bodyEncoder(cipherName, key.orElseThrow(), header), header, settings.bufferSize());
        verifier.start();
        verifier.available(size());
    }

    Optional<byte[]> header() {
        if (cipherName.headerBytes() == 0) {
            return Optional.of(new byte[0]);
        }
        return journal.read(d -> d.header().map(HexFormat.of()::parseHex));
    }

    /** A decryptor for the body from part offset {@code at} on (CBC: a block boundary, the block before first). */
    Cipher.BodyDecryptor decryptor(long at) {
        if (cipherName == CipherName.NONE) {
            throw new IllegalStateException("none needs no decryptor");
        }
        return cipher.bodyDecryptor(cipherName, key.orElseThrow(), header().orElseThrow(), at);
    }

    /** Writes decrypted bytes at the end of the prefix. */
    void append(byte[] bytes, int offset, int length) throws IOException {
        write(size(), bytes, offset, length);
    }

    /**
     * Writes decrypted bytes at part offset {@code at}, for the verifier and the syncer to pick up. Connections
     * write at once, each in its own range.
     */
    void write(long at, byte[] bytes, int offset, int length) throws IOException {
        write(at, bytes, offset, length, true);
    }

    /**
     * As {@link #write(long, byte[], int, int)}, but neither named in the state nor synced as it goes: for the blocks
     * a delta update copies from seeds at disk speed, where a state save every 512 KiB and an fdatasync every 16 MiB
     * would cost more than the copy. The caller records and syncs once at the end ({@link #recordWritten()},
     * {@link #syncNow()}); until then a run after a crash trusts none of them (the state names no such range) and
     * copies them again.
     */
    void writeUnrecorded(long at, byte[] bytes, int offset, int length) throws IOException {
        write(at, bytes, offset, length, false);
    }

    private void write(long at, byte[] bytes, int offset, int length, boolean recorded) throws IOException {
        if (length == 0) {
            return;
        }
        file.write(at, bytes, offset, length);
        long prefix;
        long present;
        boolean report;
        synchronized (this) {
            written = written.with(new PieceMap.Range(at, at + length));
            prefix = written.prefix();
            present = written.present();
            // A prefix needs no such record: after a crash of the process the file's length tells it.
            report = present != prefix && present - reported >= REPORT_BYTES;
            if (report) {
                long nowMillis = journal.clock().millis();
                report = nowMillis - reportedAtMillis >= REPORT_MILLIS;
                if (report) {
                    reportedAtMillis = nowMillis;
                }
            }
        }
        Verifier v = verifier;
        if (v != null) {
            v.available(prefix);
        }
        if (!recorded) {
            return;
        }
        syncer.wrote(present);
        if (report) {
            recordWritten(false);
        }
    }

    /**
     * With gaps in the part, a crash of the process alone keeps only the ranges the state names: they are named
     * every this many bytes, without an fsync (the page cache keeps the document as it keeps the part).
     */
    static final long REPORT_BYTES = 512 << 10;

    /**
     * And at most once in this many milliseconds. Over a link faster than 50 MiB/s (a local network) 512 KiB come
     * more often than that: a save every 512 KiB took 2,000 saves and about a second of processor time per GiB at
     * 4 connections from a local server. A crash then loses at most this long's worth; over slower links (a CDN over
     * Starlink, the 32 MiB/s of bench/connections.sh) the 512 KiB still come first.
     */
    static final long REPORT_MILLIS = 10;

    /**
     * Says in the state, before a second connection writes, that the part may get gaps: a run after a crash then
     * trusts only the ranges the state names, not the file's length.
     */
    void markPiecewise() throws IOException {
        if (!journal.read(d -> d.piecewise())) {
            journal.change((d, now) -> d.markPiecewise(now));
        }
    }

    /** Records in the state what was written so far (without waiting for a sync). */
    void recordWritten() throws IOException {
        recordWritten(true);
    }

    private void recordWritten(boolean durably) throws IOException {
        PieceMap now;
        synchronized (this) {
            now = written;
            reported = now.present();
        }
        if (header().isPresent()) {
            journal.progress(now, journal.read(d -> d.durablePieces()), durably);
        }
    }

    private void durable(PieceMap synced) throws IOException {
        if (header().isEmpty()) {
            // Nothing counts before the header is known (a connection lost inside the nonce or IV).
            return;
        }
        journal.progress(synced, synced, true);
    }

    /** Something to record before the part file changes, so that a kill in between finds the state ahead of it. */
    interface Record {
        void run() throws IOException;
    }

    /**
     * Forgets {@code range} before the state ever named it (bytes written unrecorded): they are fetched again with
     * the gaps around them. Never for bytes the verifier may have passed (the range lies beyond a gap).
     */
    synchronized void forgetUnrecorded(PieceMap.Range range) {
        if (range.start() <= written.prefix()) {
            throw new IllegalStateException("the verifier may have passed " + range);
        }
        written = written.without(range);
    }

    /**
     * Cuts the part to nothing and forgets the verifier's work: the next byte written is part byte 0. The followers
     * stop first (no late mark), then {@code recordFirst} saves the restart, then the file is cut: a kill in between
     * finds a state that no longer claims the bytes, never a state that claims bytes of another version.
     */
    void cutToZero(Record recordFirst) throws IOException, InterruptedException {
        stopFollowers();
        recordFirst.run();
        file.truncate(0);
        synchronized (this) {
            written = PieceMap.empty();
            reported = 0;
        }
        syncer.restartAt(0);
    }

    private void stopFollowers() throws InterruptedException {
        Verifier v = verifier;
        if (v != null) {
            v.cancel();
            verifier = null;
        }
        if (syncer != null) {
            syncer.drain();
        }
    }

    /** Every byte is here: waits for the verifier to reach the end. */
    Verifier.Verified verify() throws IOException, InterruptedException {
        startVerifier();
        long end = size();
        if (end != present()) {
            throw new IllegalStateException("the part has gaps: " + written());
        }
        verifier.end(end);
        Verifier.Verified verified = verifier.await();
        verifier = null;
        return verified;
    }

    /** Part bytes the verifier has re-derived (for progress while verifying). */
    long verifiedBytes() {
        Verifier v = verifier;
        return v == null ? 0 : v.position();
    }

    /** Makes every written byte durable now, and says so in the state; never after a sync of this run failed. */
    void syncNow() throws IOException, InterruptedException {
        syncer.drain();
        syncer.check();
        file.sync();
        durable(written());
    }

    /** Cuts the part to the artifact's length, closes it and renames it into place; never after a failed sync. */
    void place(String outputPath, long length) throws IOException, InterruptedException {
        syncer.drain();
        syncer.check();
        file.truncate(length);
        file.sync();
        closeFile();
        files.moveIntoPlace(path, outputPath);
    }

    /** A download that failed before its first byte leaves no empty part file behind. */
    void deleteIfEmpty() throws IOException, InterruptedException {
        if (file != null && present() == 0 && file.size() == 0) {
            delete();
        }
    }

    /** Closes and deletes the part file. */
    void delete() throws IOException, InterruptedException {
        delete(() -> { });
    }

    /** Stops the followers, saves {@code recordFirst}, then closes and deletes the part file. */
    void delete(Record recordFirst) throws IOException, InterruptedException {
        stopFollowers();
        recordFirst.run();
        closeFile();
        files.delete(path);
    }

    PartFile file() {
        return file;
    }

    String path() {
        return path;
    }

    private void closeFile() throws IOException {
        if (file != null) {
            file.close();
            file = null;
        }
    }

    @Override
    public void close() {
        boolean interrupted = false;
        try {
            if (verifier != null) {
                // The verifier only reads: when this thread is interrupted it is left to end with the file.
                verifier.cancel();
                verifier = null;
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        // The syncer saves the state, and the lock is released right after: it may not outlive it, even when this
        // thread is interrupted (a batch is one fdatasync and one save).
        while (syncer != null) {
            try {
                syncer.drain();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            closeFile();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }

    /** {@code none}: the part is the served bytes. */
    static final class Identity implements Cipher.BodyEncoder {
        private long length;

        @Override
        public int update(byte[] part, int offset, int length, byte[] out, int outOffset) {
            System.arraycopy(part, offset, out, outOffset, length);
            this.length += length;
            return length;
        }

        @Override
        public Cipher.Ending finish() {
            return new Cipher.Ending(new byte[0], true, length);
        }
    }
}
