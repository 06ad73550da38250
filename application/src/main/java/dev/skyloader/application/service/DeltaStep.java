package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.SourceUrl;
import dev.skyloader.domain.Validator;
import dev.skyloader.domain.delta.ZsyncIndex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * A delta update, before the first byte of the artifact is fetched: reads the zsync control file of the artifact's
 * plaintext (decrypting it with the artifact's cipher and key), finds its blocks in the seeds (the output being
 * replaced, the {@code --seed} files), and writes them into the part file at their final offsets. The piece map then
 * holds them as present, so the connections fetch only the gaps, as single ranges, each decrypted on arrival; the
 * verifier re-derives and checks every byte as for any download, reused or fetched.
 *
 * <p>Runs once per download: {@code bytes_reused} in the state says it ran. A control file that cannot be used is a
 * notice, never a failure: the artifact is then fetched whole. One that cannot be fetched now is tried again by the
 * next run. After a restart from byte 0 (a failed verification: a seed changed under us) it does not run again.
 */
final class DeltaStep {
    private final ArtifactSource source;
    private final FileStore files;
    private final Cipher cipher;
    /** The size of the bytes served, when the first bytes' answer told it. */
    private OptionalLong served = OptionalLong.empty();

    DeltaStep(ArtifactSource source, FileStore files, Cipher cipher) {
        this.source = requireNonNull(source, "source is null");
        this.files = requireNonNull(files, "files is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
    }

    /**
     * A part file that this download's state does not claim (left by a download of another version of the same
     * output, or by this one before its first save) would be cut by the recovery: when a delta is due, it is set
     * aside as a seed instead, for blocks that are in it are blocks not paid for twice.
     */
    static void setAsideUnclaimedPart(FileStore files, Journal journal, DownloadCommand command, String partPath)
            throws IOException {
        if (!journal.read(d -> due(d, command)) || files.size(partPath).orElse(0) == 0) {
            return;
        }
        boolean claimed = journal.read(d -> d.bytesDownloaded() > 0 || d.pieces().present() > 0
                || d.header().isPresent());
        if (!claimed) {
            files.moveIntoPlace(partPath, seedPathFor(partPath));
        }
    }

    /**
     * A download that ended (complete or failed) needs neither a kept control file nor a part set aside, whether or
     * not this run asked for a delta.
     */
    static void cleanUp(FileStore files, String partPath, DownloadCommand command) {
        try {
            files.delete(indexPathFor(partPath, command));
            files.delete(seedPathFor(partPath));
        } catch (IOException ignored) {
            // left for the next run of this output, which deletes or uses them
        }
    }

    /** Where an unclaimed part file waits, as a seed, until the delta ran. */
    static String seedPathFor(String partPath) {
        return partPath + ".seed";
    }

    /** Whether a delta is still to be tried for this download. */
    static boolean due(Download d, DownloadCommand command) {
        return command.delta().isPresent() && d.bytesReused().isEmpty() && d.restarts() == 0 && !d.hasAllBytes();
    }

    /**
     * Applies the delta, or finds it cannot be applied (a notice: the artifact comes whole).
     *
     * @param source the source of this attempt: a header that is still needed comes from it
     * @return a transient failure to fetch the control file or the header: the attempt fails with it, and the next
     *         attempt (after the wait the retry schedule says) tries the delta again
     */
    Optional<SourceException> apply(Journal journal, Part part, DownloadCommand command, SourceUrl source)
            throws IOException, InterruptedException {
        DownloadCommand.Delta delta = command.delta().orElseThrow();
        DownloadId id = journal.read(Download::id);
        DownloadListener listener = command.listener();
        String kept = indexPathFor(part.path(), command);
        List<String> seeds = seeds(delta, command, part, id);
        if (seeds.isEmpty()) {
            // Nothing to take blocks from: the control file would be paid for in vain.
            listener.notice(id, "delta: no seed to take blocks from: fetching the artifact whole");
            return dropped(journal, kept, part);
        }
        SourceUrl indexUrl = delta.indexFor(source);
        byte[] file;
        try {
            file = keptOrFetched(indexUrl, kept);
        } catch (SourceException e) {
            // The control file's source failed: is it the link (wait and try the delta again), or the control file
            // (the artifact's source answers: fetch it whole rather than never)?
            if (e.kind() == SourceException.Kind.TRANSIENT && !this.source.probe(source)) {
                listener.notice(id, "cannot fetch the delta index " + indexUrl.redacted() + " (" + e.getMessage()
                        + ")");
                return Optional.of(e);
            }
            listener.notice(id, "cannot fetch the delta index " + indexUrl.redacted() + " (" + e.getMessage()
                    + "): fetching the artifact whole");
            return dropped(journal, kept, part);
        } catch (OutOfMemoryError e) {
            return tooLarge(journal, kept, part, listener, id, indexUrl);
        }
        ZsyncIndex index;
        SeedScanner scanner;
        try {
            index = ZsyncIndex.parse(plaintext(file, command));
            file = null;
            checkFits(index, command);
            scanner = new SeedScanner(index);
        } catch (ZsyncIndex.FormatException e) {
            return unusable(journal, kept, part, listener, id, indexUrl, e);
        } catch (OutOfMemoryError e) {
            return tooLarge(journal, kept, part, listener, id, indexUrl);
        }
        Optional<SourceException> noHeader = header(journal, part, command, source);
        if (noHeader.isPresent()) {
            return noHeader;
        }
        if (command.cipher().headerBytes() > 0 && part.header().isEmpty()) {
            // The source answered with something else: the transfer finds out what, and says so.
            return Optional.empty();
        }
        if (command.expectedSize().isEmpty() && served.isPresent()) {
            try {
                checkFits(index, command.cipher(), served.getAsLong());
            } catch (ZsyncIndex.FormatException e) {
                return unusable(journal, kept, part, listener, id, indexUrl, e);
            }
        }
        java.time.Instant began = journal.now();
        long before = part.present();
        scan(index, scanner, seeds, part, command, listener, id);
        mergeGaps(part, index.length());
        // What this delta copied and keeps: blocks in the part already, the tail a cipher block boundary cuts, and
        // islands fetched with their gaps are not in it.
        long reused = part.present() - before;
        java.time.Duration took = java.time.Duration.between(began, journal.now());
        part.recordWritten();
        part.syncNow();
        long total = index.length();
        journal.change((d, now) -> d.recordReuse(reused, now));
        // The blocks it names are in the part and the state says so: neither the control file nor a part set aside
        // is needed again.
        files.delete(kept);
        files.delete(seedPathFor(part.path()));
        listener.delta(id, reused, total, took, "delta: " + reused + " of " + total + " bytes (" + percent(reused, total)
                + ") found in " + seeds.size() + (seeds.size() == 1 ? " seed" : " seeds") + " in "
                + dev.skyloader.domain.DurationText.human(took) + "; fetching the other "
                + (total - reused));
        return Optional.empty();
    }

    private void scan(ZsyncIndex index, SeedScanner scanner, List<String> seeds, Part part, DownloadCommand command,
                      DownloadListener listener, DownloadId id) throws IOException, InterruptedException {
        BitSet present = present(index, part.written());
        // Encrypted: the reused bytes end on a 16-byte boundary, so the gap after them starts on a cipher block.
        long usable = command.cipher() == CipherName.NONE ? index.length() : index.length() / 16 * 16;
        // Blocks may land anywhere: from now on a run after a crash trusts only the ranges the state names.
        part.markPiecewise();
        for (String seed : seeds) {
            try {
                scanSeed(scanner, seed, present, part, usable, index.blockSize());
            } catch (PartWriteFailure e) {
                // Not the seed's fault: the part cannot be written, as a download would find.
                throw e.getCause();
            } catch (IOException e) {
                // A seed is a help, not a need; what it gave so far is written and counts.
                listener.notice(id, "delta: cannot read the seed " + seed + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null || e.getMessage().equals(seed) ? "" : ": " + e.getMessage())
                        + "); going on");
            }
            if (scanner.complete()) {
                break;
            }
        }
    }

    /**
     * The control file's blocks do not fit this process's heap (about 30 MiB a million blocks, 4 GiB at 4 KiB
     * blocks): the artifact comes whole, never an error.
     */
    private Optional<SourceException> tooLarge(Journal journal, String kept, Part part, DownloadListener listener,
                                               DownloadId id, SourceUrl indexUrl) throws IOException {
        listener.notice(id, "the delta index " + indexUrl.redacted() + " needs more memory than this process may "
                + "use (-Xmx; SKYLOADER_JAVA_OPTS=-Xmx256m, for one): fetching the artifact whole");
        return dropped(journal, kept, part);
    }

    /** The control file does not describe an artifact this can be: said, and the artifact comes whole. */
    private Optional<SourceException> unusable(Journal journal, String kept, Part part, DownloadListener listener,
                                               DownloadId id, SourceUrl indexUrl, ZsyncIndex.FormatException e)
            throws IOException {
        listener.notice(id, "the delta index " + indexUrl.redacted() + " cannot be used (" + e.getMessage()
                + "): fetching the artifact whole");
        return dropped(journal, kept, part);
    }

    /** The delta will not be tried again for this download: the artifact comes whole. */
    private Optional<SourceException> dropped(Journal journal, String kept, Part part) throws IOException {
        journal.change((d, now) -> d.recordReuse(0, now));
        files.delete(kept);
        files.delete(seedPathFor(part.path()));
        return Optional.empty();
    }

    /**
     * Reused bytes between two gaps shorter than this are fetched with the gaps around them: one request instead of
     * two, for a few KiB (a request's headers both ways and a round trip cost about as much).
     */
    static final long MERGE_BELOW = 4096;

    /** Forgets the islands of reused bytes too small to split a fetch in two. */
    private static void mergeGaps(Part part, long length) {
        for (PieceMap.Range island : part.written().ranges()) {
            if (island.start() > 0 && island.end() < length && island.length() < MERGE_BELOW) {
                part.forgetUnrecorded(island);
            }
        }
    }

    /**
     * Seeds of this many blocks and more are scanned in two halves side by side (the verifier has nothing to do
     * meanwhile; a thread costs less than scanning a few blocks).
     */
    static final long SPLIT_FROM_BLOCKS = 128;

    /** One seed: on two threads when it is large and there are two cores, each with a half of the windows. */
    private void scanSeed(SeedScanner scanner, String seed, BitSet present, Part part, long usable, int blockSize)
            throws IOException, InterruptedException {
        long size = files.size(seed).orElse(0);
        boolean split = size >= SPLIT_FROM_BLOCKS * blockSize && Runtime.getRuntime().availableProcessors() > 1;
        long half = split ? size / 2 : size;
        Runs first = new Runs(part, usable);
        if (half == size) {
            try (InputStream in = files.openRead(seed)) {
                scanner.scan(in, present, first);
            } finally {
                first.flush();
            }
            return;
        }
        Runs second = new Runs(part, usable);
        Exception[] failed = new Exception[1];
        Thread helper = Thread.ofPlatform().daemon().name("skyloader-seed-scan").start(() -> {
            try (InputStream in = files.openRead(seed)) {
                in.skipNBytes(half);
                scanner.scan(in, present, second);
            } catch (IOException | InterruptedException | RuntimeException e) {
                failed[0] = e;
            } finally {
                try {
                    second.flush();
                } catch (PartWriteFailure e) {
                    failed[0] = e;
                }
            }
        });
        try (InputStream in = files.openRead(seed)) {
            scanner.scan(in, half, present, first);
            first.flush();
        } catch (IOException | InterruptedException | RuntimeException e) {
            // This half failed or was stopped: the other half stops too before the part moves on.
            helper.interrupt();
            helper.join();
            first.flush();
            throw e;
        }
        stopAndJoin(helper);
        if (failed[0] instanceof IOException e) {
            throw e;
        }
        if (failed[0] instanceof InterruptedException e) {
            throw e;
        }
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        }
    }

    /** Waits for the helper; interrupted, it stops the helper too, waits for it, and says so. */
    private static void stopAndJoin(Thread helper) throws InterruptedException {
        try {
            helper.join();
        } catch (InterruptedException e) {
            helper.interrupt();
            helper.join();
            throw e;
        }
    }

    /**
     * Found blocks into the part, neighbours gathered into one write of up to 1 MiB: a seed that is mostly the new
     * version yields block after block, and one write per block would cost a system call each.
     */
    private static final class Runs implements SeedScanner.Found {
        private final Part part;
        private final long usable;
        private final byte[] run = new byte[1 << 20];
        private long start = -1;
        private int length;

        Runs(Part part, long usable) {
            this.part = part;
            this.usable = usable;
        }

        @Override
        public void block(long offset, byte[] data, int from, int n) throws IOException {
            int take = (int) Math.min(n, usable - offset);
            if (take <= 0) {
                return;
            }
            if (start < 0 || offset != start + length || length + take > run.length) {
                flush();
                start = offset;
            }
            System.arraycopy(data, from, run, length, take);
            length += take;
        }

        void flush() throws PartWriteFailure {
            try {
                if (length > 0) {
                    part.writeUnrecorded(start, run, 0, length);
                }
            } catch (IOException e) {
                throw new PartWriteFailure(e);
            } finally {
                start = -1;
                length = 0;
            }
        }
    }

    /** Writing the part failed while blocks were found: told apart from a seed that cannot be read. */
    private static final class PartWriteFailure extends IOException {
        PartWriteFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** Blocks the part holds already (an earlier run of this download). */
    static BitSet present(ZsyncIndex index, PieceMap written) {
        BitSet present = new BitSet();
        for (PieceMap.Range range : written.ranges()) {
            long first = (range.start() + index.blockSize() - 1) / index.blockSize();
            for (long i = first; i < index.blocks(); i++) {
                long end = i * index.blockSize() + index.blockLength((int) i);
                if (end > range.end()) {
                    break;
                }
                present.set((int) i);
            }
        }
        return present;
    }

    /** The output being replaced first, then the seeds given; each once, none that is the part itself. */
    private List<String> seeds(DownloadCommand.Delta delta, DownloadCommand command, Part part, DownloadId id)
            throws IOException {
        LinkedHashSet<String> candidates = new LinkedHashSet<>();
        candidates.add(command.outputPath());
        candidates.addAll(delta.seeds());
        String setAside = seedPathFor(part.path());
        List<String> seeds = new ArrayList<>();
        candidates.add(setAside);
        for (String candidate : candidates) {
            if (files.size(candidate).isPresent() && !candidate.equals(part.path())) {
                seeds.add(candidate);
            } else if (!candidate.equals(command.outputPath()) && !candidate.equals(setAside)) {
                command.listener().notice(id, "delta: the seed " + candidate + " is not a file; going on without it");
            }
        }
        return seeds;
    }

    /**
     * Where the control file is kept, as served (encrypted when the artifact is), between its fetch and the end of
     * the scan: a run killed in between does not pay for it twice.
     */
    static String indexPathFor(String partPath, DownloadCommand command) {
        // Named after the artifact too: never the control file of another version.
        return partPath + "." + command.sha256().hex().substring(0, 16) + ".zsync";
    }

    private byte[] keptOrFetched(SourceUrl url, String kept) throws SourceException, IOException {
        if (files.exists(kept)) {
            try (InputStream in = files.openRead(kept)) {
                return in.readNBytes(ZsyncIndex.MAX_BYTES + 1);
            }
        }
        byte[] file = fetch(url);
        try (FileStore.StagedFile staged = files.stage(kept)) {
            staged.output().write(file);
            staged.commit();
        }
        return file;
    }

    private byte[] fetch(SourceUrl url) throws SourceException {
        try (RemoteBody body = source.open(url, 0, Optional.empty())) {
            if (body.offset() != 0) {
                throw SourceException.permanent(url.redacted() + ": the answer starts at byte " + body.offset());
            }
            // One byte more than a control file may have: the parser then says it is too large.
            return body.body().readNBytes(ZsyncIndex.MAX_BYTES + 1);
        } catch (IOException e) {
            throw SourceException.transientError(url.redacted() + ": the connection was lost: " + e.getMessage(), e);
        }
    }

    /** The control file as published: encrypted with the artifact's cipher and key, unless the cipher is none. */
    private byte[] plaintext(byte[] file, DownloadCommand command) {
        CipherName name = command.cipher();
        if (name == CipherName.NONE) {
            return file;
        }
        int h = name.headerBytes();
        if (name.sizeProblem(file.length).isPresent()) {
            throw new ZsyncIndex.FormatException("it is not a " + name + " file: "
                    + name.sizeProblem(file.length).get());
        }
        AesKey key = command.key().orElseThrow();
        byte[] header = Arrays.copyOf(file, h);
        byte[] part = new byte[file.length - h + 32];
        int n = cipher.bodyDecryptor(name, key, header, 0).update(file, h, file.length - h, part, 0);
        Cipher.BodyEncoder check = cipher.bodyEncoder(name, key, header);
        check.update(part, 0, n, new byte[n + 32], 0);
        Cipher.Ending ending = check.finish();
        if (!ending.authentic()) {
            throw new ZsyncIndex.FormatException("it does not decrypt with the artifact's key");
        }
        return Arrays.copyOf(part, (int) ending.plaintextLength());
    }

    /** The control file must describe a plaintext this artifact can have. */
    private static void checkFits(ZsyncIndex index, DownloadCommand command) {
        CipherName name = command.cipher();
        if (name != CipherName.NONE && index.blockSize() % 16 != 0) {
            throw new ZsyncIndex.FormatException("its block size " + index.blockSize() + " is not a multiple of 16");
        }
        if (command.expectedSize().isPresent()) {
            checkFits(index, name, command.expectedSize().getAsLong());
        }
    }

    /** A control file of {@code index.length()} plaintext bytes fits an artifact of {@code served} bytes. */
    static void checkFits(ZsyncIndex index, CipherName name, long served) {
        long body = served - name.headerBytes() - name.trailerBytes();
        long length = index.length();
        boolean fits = name == CipherName.AES_256_CBC ? length < body && length >= body - 16 : length == body;
        if (!fits) {
            throw new ZsyncIndex.FormatException("it describes " + length + " bytes, but an artifact of " + served
                    + " served bytes holds " + (name == CipherName.AES_256_CBC ? (body - 16) + " to " + (body - 1)
                    : String.valueOf(body)));
        }
    }

    /**
     * The nonce or IV is needed before any reused byte counts (the verifier re-derives the served bytes from it):
     * when no earlier run brought it, a request for just the header brings it, with the object's validator.
     */
    private Optional<SourceException> header(Journal journal, Part part, DownloadCommand command, SourceUrl url)
            throws IOException {
        int h = command.cipher().headerBytes();
        boolean needHeader = h > 0 && part.header().isEmpty();
        // Without a size given, the first bytes' answer tells it, so that a control file of another length is
        // refused before a block is copied.
        boolean needSize = command.expectedSize().isEmpty() && journal.read(d -> d.reportedSize().isEmpty());
        if (!needHeader && !needSize) {
            return Optional.empty();
        }
        int ask = Math.max(h, 1);
        DownloadId id = journal.read(Download::id);
        try (RemoteBody body = source.open(url, 0, ask, Optional.empty())) {
            byte[] first;
            try {
                first = body.body().readNBytes(ask);
            } catch (IOException e) {
                throw SourceException.transientError(url.redacted() + ": the connection was lost in the first "
                        + "bytes: " + e.getMessage(), e);
            }
            OptionalLong total = body.totalSize();
            if (body.offset() != 0 || first.length != ask || command.expectedSize().isPresent() && total.isPresent()
                    && total.getAsLong() != command.expectedSize().getAsLong()) {
                // Not the artifact asked for, or not all of its header: the transfer finds out and says so.
                return Optional.empty();
            }
            served = total;
            if (needHeader) {
                byte[] header = Arrays.copyOf(first, h);
                journal.change((d, now) -> {
                    d.recordHeader(HexFormat.of().formatHex(header), now);
                    body.validator().ifPresent(tag -> d.recordValidator(new Validator(tag, url.redacted()), now));
                });
            }
        } catch (SourceException e) {
            if (e.kind() != SourceException.Kind.TRANSIENT) {
                // The transfer meets the same answer and judges it as it judges any.
                return Optional.empty();
            }
            command.listener().notice(id, "delta: cannot fetch the artifact's " + (needHeader ? "header" : "size")
                    + " (" + e.getMessage() + ")");
            return Optional.of(e);
        }
        if (needHeader) {
            part.startVerifier();
        }
        return Optional.empty();
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "100%" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
