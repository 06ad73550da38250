package dev.skyloader.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * One artifact on its way to disk: what is expected of it, how far it got, and the state it is in.
 *
 * <p>Every state change goes through {@link #moveTo(DownloadState, Instant)}, which checks it against
 * {@link DownloadState#canMoveTo(DownloadState)}. The byte count only moves forward, except through
 * {@link #restartFromZero(String, Instant)}, which also forgets the remote validator so that two versions of an
 * object are never spliced. Not thread-safe: one download is driven by one thread.
 */
public final class Download {
    private final DownloadId id;
    private final Sha256 expectedSha256;
    private final OptionalLong expectedSize;
    private final CipherName cipher;
    private final String outputPath;
    private final String partPath;
    private final Instant createdAt;

    private String url;
    private DownloadState state;
    private long bytesDownloaded;
    private int attempts;
    private int restarts;
    /** The SHA-256 the last download that did not match had; null when none failed. */
    private Sha256 mismatchedSha256;
    private Instant nextAttemptAt;
    private String lastError;
    private Validator validator;
    private Instant updatedAt;
    private long bytesDurable;
    private String bootId;
    private String header;
    private PartEncoding partEncoding;
    private Long placedSize;
    /** The size a server told, for a download given none: shown, never checked against. */
    private Long reportedSize;
    /** Part bytes a delta update took from seeds; null while no delta was applied (or tried). */
    private Long bytesReused;
    /** Part bytes written, when they are not simply a prefix (several connections); null: a prefix. */
    private PieceMap pieces;
    /** Part bytes synced, when they are not simply a prefix; null: a prefix. */
    private PieceMap durablePieces;
    /** Several connections may write the part: it may have gaps that the byte count does not tell. */
    private boolean piecewise;

    private Download(Builder b) {
        this.id = requireNonNull(b.id, "id is null");
        this.url = requireNonNull(b.url, "url is null");
        this.expectedSha256 = requireNonNull(b.expectedSha256, "expectedSha256 is null");
        this.expectedSize = requireNonNull(b.expectedSize, "expectedSize is null");
        this.cipher = requireNonNull(b.cipher, "cipher is null");
        this.outputPath = requireNonNull(b.outputPath, "outputPath is null");
        this.partPath = requireNonNull(b.partPath, "partPath is null");
        this.createdAt = requireNonNull(b.createdAt, "createdAt is null");
        this.state = requireNonNull(b.state, "state is null");
        this.bytesDownloaded = b.bytesDownloaded;
        this.attempts = b.attempts;
        this.restarts = b.restarts;
        this.mismatchedSha256 = b.mismatchedSha256;
        this.nextAttemptAt = b.nextAttemptAt;
        this.lastError = b.lastError;
        this.validator = b.validator;
        this.updatedAt = b.updatedAt == null ? b.createdAt : b.updatedAt;
        this.bytesDurable = b.bytesDurable == null ? b.bytesDownloaded : b.bytesDurable;
        this.bootId = b.bootId;
        this.header = b.header;
        this.partEncoding = requireNonNull(b.partEncoding, "partEncoding is null");
        this.placedSize = b.placedSize;
        this.reportedSize = b.reportedSize;
        this.bytesReused = b.bytesReused;
        if (bytesReused != null && bytesReused < 0) {
            throw new IllegalArgumentException("bytes reused must not be negative");
        }
        if (reportedSize != null && reportedSize < 0) {
            throw new IllegalArgumentException("reported_size must not be negative");
        }
        this.pieces = orNullIfPrefix(b.pieces);
        this.durablePieces = orNullIfPrefix(b.durablePieces);
        this.piecewise = b.pieces != null;
        if (b.pieces != null && (header == null && cipher.headerBytes() > 0 && !b.pieces.ranges().isEmpty()
                || !addsUp(b.pieces, bytesDownloaded) || beyondSize(b.pieces))) {
            throw new IllegalArgumentException("pieces " + b.pieces + " do not add up to bytes_downloaded "
                    + bytesDownloaded + " or lie beyond the expected size");
        }
        if (b.durablePieces != null && !addsUp(b.durablePieces, bytesDurable)) {
            throw new IllegalArgumentException("durable pieces " + b.durablePieces + " do not add up to bytes_durable "
                    + bytesDurable);
        }
        if (!pieces().containsAll(durablePieces())) {
            throw new IllegalArgumentException("durable pieces " + durablePieces() + " are not within the written "
                    + pieces());
        }
        if (bytesDurable < 0 || bytesDurable > bytesDownloaded) {
            throw new IllegalArgumentException("bytes_durable must lie in 0..bytes_downloaded, got " + bytesDurable);
        }
        if (header != null && !header.matches("[0-9a-f]*")) {
            throw new IllegalArgumentException("header must be lower-case hex");
        }
        if (expectedSize.isPresent() && expectedSize.getAsLong() < 0) {
            throw new IllegalArgumentException("expected size must not be negative, got " + expectedSize.getAsLong());
        }
        if (bytesDownloaded < 0 || attempts < 0 || restarts < 0) {
            throw new IllegalArgumentException("bytes_downloaded, attempts and restarts must not be negative");
        }
        if (expectedSize.isPresent() && bytesDownloaded > expectedSize.getAsLong()) {
            throw new IllegalArgumentException("bytes_downloaded " + bytesDownloaded
                    + " exceeds the expected size " + expectedSize.getAsLong());
        }
    }

    /** An independent copy, every field as it is now: for a store to save while this one goes on changing. */
    public Download copy() {
        return new Download(this);
    }

    private Download(Download other) {
        this.id = other.id;
        this.expectedSha256 = other.expectedSha256;
        this.expectedSize = other.expectedSize;
        this.cipher = other.cipher;
        this.outputPath = other.outputPath;
        this.partPath = other.partPath;
        this.createdAt = other.createdAt;
        this.url = other.url;
        this.state = other.state;
        this.bytesDownloaded = other.bytesDownloaded;
        this.attempts = other.attempts;
        this.restarts = other.restarts;
        this.mismatchedSha256 = other.mismatchedSha256;
        this.nextAttemptAt = other.nextAttemptAt;
        this.lastError = other.lastError;
        this.validator = other.validator;
        this.updatedAt = other.updatedAt;
        this.bytesDurable = other.bytesDurable;
        this.bootId = other.bootId;
        this.header = other.header;
        this.partEncoding = other.partEncoding;
        this.placedSize = other.placedSize;
        this.reportedSize = other.reportedSize;
        this.bytesReused = other.bytesReused;
        this.pieces = other.pieces;
        this.durablePieces = other.durablePieces;
        this.piecewise = other.piecewise;
    }

    /** A new download in {@link DownloadState#PENDING}. */
    public static Download create(DownloadId id, SourceUrl url, Sha256 expectedSha256, OptionalLong expectedSize,
                                  CipherName cipher, String outputPath, String partPath, Instant now) {
        return builder().id(id).url(url.redacted()).expectedSha256(expectedSha256).expectedSize(expectedSize)
                .cipher(cipher).outputPath(outputPath).partPath(partPath).createdAt(now)
                .state(DownloadState.PENDING).build();
    }

    /** For a store that reads a download back: every field as it was saved. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- state changes ----

    /** Moves to {@code next}, or throws {@link IllegalTransitionException} if the table does not allow it. */
    public void moveTo(DownloadState next, Instant now) {
        requireNonNull(next, "next is null");
        if (!state.canMoveTo(next)) {
            throw new IllegalTransitionException(state, next);
        }
        state = next;
        if (next != DownloadState.PAUSED) {
            nextAttemptAt = null;
        }
        touch(now);
    }

    /** A state found on disk that a running process passes through means that process died: resume from PAUSED. */
    public void recoverFromInterruption(Instant now) {
        if (state.isInFlight()) {
            moveTo(DownloadState.PAUSED, now);
            lastError = "interrupted (the previous run stopped before finishing)";
        }
    }

    /** The operator asked again for an artifact that had failed: start a fresh round of attempts and restarts. */
    public void retryAfterFailure(Instant now) {
        moveTo(DownloadState.PENDING, now);
        attempts = 0;
        restarts = 0;
        // Kept: the same wrong bytes on the first download of this round end it at once.
    }

    /** The bytes up to {@code bytesDownloaded} are durably in the part file. */
    public void recordProgress(long newBytesDownloaded, Instant now) {
        recordProgress(newBytesDownloaded, newBytesDownloaded, now);
    }

    /**
     * Bytes served up to {@code written} are in the part file (perhaps only in the page cache), and up to
     * {@code durable} on stable storage. Neither mark goes back here; the durable one never passes the written one.
     */
    public void recordProgress(long written, long durable, Instant now) {
        if (pieces != null || durablePieces != null) {
            throw new IllegalStateException("the part holds pieces: record them with recordPieces");
        }
        if (durable < bytesDurable || durable > written) {
            throw new IllegalArgumentException("durable mark must move forward and stay within the written one: "
                    + bytesDurable + " -> " + durable + " of " + written);
        }
        recordWritten(written, now);
        bytesDurable = durable;
    }

    private void recordWritten(long newBytesDownloaded, Instant now) {
        requireState(DownloadState.DOWNLOADING, "record progress");
        if (newBytesDownloaded < bytesDownloaded) {
            throw new IllegalArgumentException("progress must not go back: " + bytesDownloaded + " -> "
                    + newBytesDownloaded + " (use restartFromZero)");
        }
        if (expectedSize.isPresent() && newBytesDownloaded > expectedSize.getAsLong()) {
            throw new IllegalArgumentException("progress " + newBytesDownloaded + " exceeds the expected size "
                    + expectedSize.getAsLong());
        }
        if (newBytesDownloaded > bytesDownloaded) {
            // An attempt that moves bytes resets the backoff schedule.
            attempts = 0;
        }
        bytesDownloaded = newBytesDownloaded;
        touch(now);
    }

    /**
     * Part bytes {@code written} are in the part file (perhaps only in the page cache), {@code durable} of them on
     * stable storage: several connections leave ranges with gaps. The byte counts follow (the header counts once it
     * is known). Nothing written is forgotten here, and the durable ranges stay within the written ones.
     */
    public void recordPieces(PieceMap written, PieceMap durable, Instant now) {
        requireNonNull(written, "written is null");
        requireNonNull(durable, "durable is null");
        if (!written.containsAll(pieces()) || !written.containsAll(durable) || !durable.containsAll(durablePieces())) {
            throw new IllegalArgumentException("pieces must only grow, durable within written: " + pieces() + " -> "
                    + written + ", durable " + durablePieces() + " -> " + durable);
        }
        if (header == null && cipher.headerBytes() > 0 && orNullIfPrefix(written) != null) {
            // A prefix counts as nothing until then; ranges with gaps could not be saved.
            throw new IllegalArgumentException("no part ranges count before the header is known: " + written);
        }
        if (beyondSize(written)) {
            throw new IllegalArgumentException("pieces " + written + " lie beyond the expected size");
        }
        long counted = countedBytes(written);
        recordWritten(counted, now);
        pieces = orNullIfPrefix(written);
        durablePieces = orNullIfPrefix(durable);
        bytesDurable = countedBytes(durable);
    }

    /**
     * The part's durable ranges grew to {@code durable}, in any state but complete (as {@link #recordDurable(long,
     * Instant)}).
     */
    public void recordDurablePieces(PieceMap durable, Instant now) {
        requireNonNull(durable, "durable is null");
        if (state == DownloadState.COMPLETE) {
            throw new IllegalStateException("cannot record durable bytes of a complete download");
        }
        if (!pieces().containsAll(durable) || !durable.containsAll(durablePieces())) {
            throw new IllegalArgumentException("durable pieces must grow within the written ones: "
                    + durablePieces() + " -> " + durable + " of " + pieces());
        }
        durablePieces = orNullIfPrefix(durable);
        bytesDurable = countedBytes(durable);
        touch(now);
    }

    /**
     * A new run found which part bytes really count: {@code written}, {@code durable} of them synced (as {@link
     * #adoptPartFile}, for a part of pieces).
     */
    public void adoptPieces(PieceMap written, PieceMap durable, Instant now) {
        requireNonNull(written, "written is null");
        requireNonNull(durable, "durable is null");
        if (!written.containsAll(durable)) {
            throw new IllegalArgumentException("durable pieces " + durable + " are not within " + written);
        }
        if (!written.ranges().isEmpty() && header == null && cipher.headerBytes() > 0) {
            throw new IllegalArgumentException("pieces without a header");
        }
        if (beyondSize(written)) {
            throw new IllegalArgumentException("pieces " + written + " lie beyond the expected size");
        }
        long counted = countedBytes(written);
        adoptPartFile(counted, countedBytes(durable), now);
        pieces = orNullIfPrefix(written);
        durablePieces = orNullIfPrefix(durable);
        piecewise = true;
    }

    /**
     * Several connections are about to write the part: from now on it may have gaps, and only the ranges named here
     * count after a crash (not the part file's length). Until the next restart from byte 0.
     */
    public void markPiecewise(Instant now) {
        piecewise = true;
        touch(now);
    }

    /** Whether the part may have gaps (several connections wrote it): only the named ranges count. */
    public boolean piecewise() {
        return piecewise;
    }

    /** Part bytes written: the ranges, or the prefix the byte count stands for. */
    public PieceMap pieces() {
        return pieces != null ? pieces : PieceMap.prefixOf(partBytes(bytesDownloaded));
    }

    /** Part bytes synced: the ranges, or the prefix the durable byte count stands for. */
    public PieceMap durablePieces() {
        return durablePieces != null ? durablePieces : PieceMap.prefixOf(partBytes(bytesDurable));
    }

    private long partBytes(long served) {
        return Math.max(0, served - cipher.headerBytes());
    }

    /** Served bytes that {@code partRanges} stand for: the header counts once it is known. */
    private long countedBytes(PieceMap partRanges) {
        boolean headerKnown = header != null || cipher.headerBytes() == 0;
        return headerKnown ? cipher.headerBytes() + partRanges.present() : 0;
    }

    /** Whether {@code partRanges} stand for {@code bytes} served bytes (no range: nothing, or the header alone). */
    private boolean addsUp(PieceMap partRanges, long bytes) {
        return partRanges.ranges().isEmpty() ? bytes == 0 || bytes == countedBytes(partRanges)
                : countedBytes(partRanges) == bytes;
    }

    /** Whether part ranges reach past the expected size (served bytes less the header). */
    private boolean beyondSize(PieceMap partRanges) {
        List<PieceMap.Range> ranges = partRanges.ranges();
        return expectedSize.isPresent() && !ranges.isEmpty()
                && cipher.headerBytes() + ranges.get(ranges.size() - 1).end() > expectedSize.getAsLong();
    }

    private static PieceMap orNullIfPrefix(PieceMap map) {
        return map == null || map.ranges().size() <= 1 && map.prefix() == map.present() ? null : map;
    }

    /**
     * The part file was made durable up to {@code durable} served bytes. Allowed in every state but complete (a
     * paused or failed download keeps its part file); never past the written mark, never back.
     */
    public void recordDurable(long durable, Instant now) {
        if (state == DownloadState.COMPLETE) {
            throw new IllegalStateException("cannot record durable bytes of a complete download");
        }
        if (durablePieces != null || pieces != null) {
            throw new IllegalStateException("the part holds pieces: record them with recordDurablePieces");
        }
        if (durable < bytesDurable || durable > bytesDownloaded) {
            throw new IllegalArgumentException("durable mark must move forward within the written one: "
                    + bytesDurable + " -> " + durable + " of " + bytesDownloaded);
        }
        bytesDurable = durable;
        touch(now);
    }

    /**
     * A new run found what the part file really holds: {@code written} served bytes count, {@code durable} of them
     * synced. Unlike progress this may move either way (another boot trusts only the synced bytes; the same boot
     * also trusts what the page cache kept beyond the last record).
     */
    public void adoptPartFile(long written, long durable, Instant now) {
        if (state == DownloadState.COMPLETE || state == DownloadState.DOWNLOADING) {
            throw new IllegalStateException("cannot adopt a part file in state " + state.wireName());
        }
        if (written < 0 || durable < 0 || durable > written
                || (expectedSize.isPresent() && written > expectedSize.getAsLong())) {
            throw new IllegalArgumentException("cannot adopt " + written + " bytes (" + durable + " durable)");
        }
        bytesDownloaded = written;
        bytesDurable = durable;
        pieces = null;
        durablePieces = null;
        piecewise = false;
        if (written == 0) {
            validator = null;
            header = null;
        }
        touch(now);
    }

    /**
     * The part file no longer holds what the state claimed (it is shorter, or the remote object changed): continue
     * from what is really there. Only ever moves back.
     */
    public void truncateTo(long bytes, Instant now) {
        if (bytes < 0 || bytes > bytesDownloaded) {
            throw new IllegalArgumentException("can only truncate to 0.." + bytesDownloaded + ", got " + bytes);
        }
        if (pieces != null || durablePieces != null) {
            throw new IllegalStateException("the part holds pieces: adopt them with adoptPieces");
        }
        bytesDownloaded = bytes;
        bytesDurable = Math.min(bytesDurable, bytes);
        if (bytes == 0) {
            validator = null;
            header = null;
        }
        touch(now);
    }

    /** Forget every byte and the remote validator: the next request starts at byte 0 of whatever is there now. */
    public void restartFromZero(String reason, Instant now) {
        bytesDownloaded = 0;
        bytesDurable = 0;
        pieces = null;
        durablePieces = null;
        piecewise = false;
        header = null;
        partEncoding = PartEncoding.PLAIN;
        placedSize = null;
        reportedSize = null;
        // A delta's blocks are gone with the rest; it is not tried again (see deltaApplied).
        bytesReused = bytesReused == null ? null : 0L;
        validator = null;
        lastError = reason;
        touch(now);
    }

    /** The remote's version (ETag or Last-Modified, with the source that issued it) the bytes so far belong to. */
    public void recordValidator(Validator newValidator, Instant now) {
        this.validator = requireNonNull(newValidator, "newValidator is null");
        touch(now);
    }

    /** The nonce or IV in front of the served ciphertext, as hex: it is public, and a resume needs it. */
    public void recordHeader(String hex, Instant now) {
        requireNonNull(hex, "hex is null");
        if (!hex.matches("[0-9a-f]*") || hex.length() != 2 * cipher.headerBytes()) {
            throw new IllegalArgumentException("header of " + cipher + " must be " + cipher.headerBytes()
                    + " bytes of hex");
        }
        header = hex;
        touch(now);
    }

    /** The machine's boot this process runs in: after another boot only durable bytes are trusted. */
    public void recordBoot(String newBootId, Instant now) {
        bootId = requireNonNull(newBootId, "newBootId is null");
        touch(now);
    }

    /** The part file was rewritten into another encoding (see {@link PartEncoding}). */
    public void recordPartEncoding(PartEncoding encoding, Instant now) {
        partEncoding = requireNonNull(encoding, "encoding is null");
        touch(now);
    }

    /**
     * The verified part is about to become the output, {@code size} bytes long: recorded before the rename, so that
     * a restart after it finds the output and accepts it instead of fetching everything again.
     */
    public void placing(long size, Instant now) {
        moveTo(DownloadState.DECRYPTING, now);
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        placedSize = size;
    }

    /** A transient failure: one more consecutive failed attempt, and a wait until {@code retryAt}. */
    public void attemptFailed(String error, Instant retryAt, Instant now) {
        requireNonNull(error, "error is null");
        moveTo(DownloadState.PAUSED, now);
        attempts++;
        lastError = error;
        nextAttemptAt = retryAt;
    }

    /**
     * Stop without counting a failed attempt and without a time for the next one: retrying will not help until
     * someone acts (a fresh URL, new credentials, free disk space).
     */
    public void pauseForAction(String reason, Instant now) {
        requireNonNull(reason, "reason is null");
        moveTo(DownloadState.PAUSED, now);
        lastError = reason;
        nextAttemptAt = null;
    }

    /** The wait is over (or cut short): start the next attempt. */
    public void startAttempt(Instant now) {
        if (state != DownloadState.DOWNLOADING) {
            moveTo(DownloadState.DOWNLOADING, now);
        }
    }

    /**
     * The SHA-256 of the part file did not match. Starts over from byte 0 while restarts remain, otherwise fails.
     *
     * @return true when the download goes on from byte 0, false when it failed for good
     */
    public boolean verificationFailed(Sha256 actual, int maxRestarts, Instant now) {
        requireState(DownloadState.VERIFYING, "fail verification");
        String message = "SHA-256 mismatch: expected " + expectedSha256 + ", got " + actual;
        if (actual.equals(mismatchedSha256)) {
            // Twice the same wrong bytes: the source serves them consistently, and a third download over a metered
            // link would bring them again. The expected SHA-256 is the likelier mistake.
            failVerification(message + " again, as the download before it: the source serves these bytes"
                    + " consistently (is the expected SHA-256 right?); gave up after " + restarts + " restart"
                    + (restarts == 1 ? "" : "s"), now);
            return false;
        }
        mismatchedSha256 = actual;
        if (restarts >= maxRestarts) {
            failVerification(message + " (gave up after " + restarts + " restart" + (restarts == 1 ? "" : "s") + ")",
                    now);
            return false;
        }
        restarts++;
        moveTo(DownloadState.DOWNLOADING, now);
        restartFromZero(message + "; restart " + restarts + " of " + maxRestarts + " from byte 0", now);
        return true;
    }

    /** The part that did not match is deleted: nothing of it counts any more. */
    private void failVerification(String reason, Instant now) {
        restartFromZero(reason, now);
        fail(reason, now);
    }

    public void fail(String reason, Instant now) {
        requireNonNull(reason, "reason is null");
        moveTo(DownloadState.FAILED, now);
        lastError = reason;
    }

    public void complete(Instant now) {
        moveTo(DownloadState.COMPLETE, now);
        lastError = null;
    }

    /**
     * True when an earlier run renamed the part into place and died before it could record the end: the record says
     * it was placing an output of exactly this size, the part file is gone and the output is there with that size.
     */
    public boolean wasPlaced(boolean partExists, java.util.OptionalLong outputSize) {
        return state == DownloadState.DECRYPTING && placedSize != null && !partExists && outputSize.isPresent()
                && outputSize.getAsLong() == placedSize;
    }

    /** The same artifact may be fetched from a fresh URL (a presigned URL expires): keep the bytes, note the URL. */
    public void changeUrl(SourceUrl newUrl, Instant now) {
        this.url = newUrl.redacted();
        touch(now);
    }

    private void requireState(DownloadState wanted, String action) {
        if (state != wanted) {
            throw new IllegalStateException("cannot " + action + " in state " + state.wireName());
        }
    }

    private void touch(Instant now) {
        updatedAt = requireNonNull(now, "now is null");
    }

    // ---- reading ----

    public DownloadId id() {
        return id;
    }

    /** The URL without secrets (see {@link SourceUrl#redacted()}). */
    public String url() {
        return url;
    }

    public Sha256 expectedSha256() {
        return expectedSha256;
    }

    public OptionalLong expectedSize() {
        return expectedSize;
    }

    public CipherName cipher() {
        return cipher;
    }

    public String outputPath() {
        return outputPath;
    }

    public String partPath() {
        return partPath;
    }

    public DownloadState state() {
        return state;
    }

    public long bytesDownloaded() {
        return bytesDownloaded;
    }

    /** Consecutive attempts that failed without moving a byte. */
    public int attempts() {
        return attempts;
    }

    /** Restarts from byte 0 after a SHA-256 mismatch. */
    public int restarts() {
        return restarts;
    }

    /** The SHA-256 of the last download that did not match, if one did. */
    public Optional<Sha256> mismatchedSha256() {
        return Optional.ofNullable(mismatchedSha256);
    }

    public Optional<Instant> nextAttemptAt() {
        return Optional.ofNullable(nextAttemptAt);
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public Optional<Validator> validator() {
        return Optional.ofNullable(validator);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    /** Served bytes on stable storage: all that survives a power loss. */
    public long bytesDurable() {
        return bytesDurable;
    }

    public Optional<String> bootId() {
        return Optional.ofNullable(bootId);
    }

    /** The nonce or IV in front of the served ciphertext (hex), once received. */
    public Optional<String> header() {
        return Optional.ofNullable(header);
    }

    public PartEncoding partEncoding() {
        return partEncoding;
    }

    /** The size a server told, when none was given: for progress and status; the SHA-256 is still the check. */
    public OptionalLong reportedSize() {
        return reportedSize == null ? OptionalLong.empty() : OptionalLong.of(reportedSize);
    }

    /** A server told the artifact's size; kept so that status can show a total and a percentage. */
    public void recordReportedSize(long size, Instant now) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        reportedSize = size;
        touch(now);
    }

    /**
     * Part bytes a delta update copied from seeds instead of fetching them; empty while no delta was applied. Zero
     * after a delta was tried and found nothing, could not be used, or was dropped by a restart.
     */
    public OptionalLong bytesReused() {
        return bytesReused == null ? OptionalLong.empty() : OptionalLong.of(bytesReused);
    }

    /** A delta update ran: {@code bytes} of the part came from seeds. It runs once per download. */
    public void recordReuse(long bytes, Instant now) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative");
        }
        bytesReused = bytes;
        touch(now);
    }

    /** The size of the output being put in place, while {@code decrypting}. */
    public OptionalLong placedSize() {
        return placedSize == null ? OptionalLong.empty() : OptionalLong.of(placedSize);
    }

    public boolean hasAllBytes() {
        return expectedSize.isPresent() && bytesDownloaded == expectedSize.getAsLong();
    }

    @Override
    public String toString() {
        return "Download[" + id + " " + state.wireName() + " " + bytesDownloaded + "/"
                + (expectedSize.isPresent() ? Long.toString(expectedSize.getAsLong()) : "?") + " " + url + "]";
    }

    /** Builds a download from stored fields; the constructor checks them. */
    public static final class Builder {
        private DownloadId id;
        private String url;
        private Sha256 expectedSha256;
        private OptionalLong expectedSize = OptionalLong.empty();
        private CipherName cipher = CipherName.NONE;
        private String outputPath;
        private String partPath;
        private Instant createdAt;
        private Instant updatedAt;
        private DownloadState state = DownloadState.PENDING;
        private long bytesDownloaded;
        private int attempts;
        private int restarts;
        private Sha256 mismatchedSha256;
        private Instant nextAttemptAt;
        private String lastError;
        private Validator validator;
        private Long bytesDurable;
        private String bootId;
        private String header;
        private PartEncoding partEncoding = PartEncoding.PLAIN;
        private Long placedSize;
        private Long reportedSize;
        private Long bytesReused;
        private PieceMap pieces;
        private PieceMap durablePieces;

        private Builder() {
        }

        public Builder id(DownloadId value) { this.id = value; return this; }
        public Builder url(String value) { this.url = value == null ? null : new SourceUrl(value).redacted(); return this; }
        public Builder expectedSha256(Sha256 value) { this.expectedSha256 = value; return this; }
        public Builder expectedSize(OptionalLong value) { this.expectedSize = Objects.requireNonNull(value); return this; }
        public Builder cipher(CipherName value) { this.cipher = value; return this; }
        public Builder outputPath(String value) { this.outputPath = value; return this; }
        public Builder partPath(String value) { this.partPath = value; return this; }
        public Builder createdAt(Instant value) { this.createdAt = value; return this; }
        public Builder updatedAt(Instant value) { this.updatedAt = value; return this; }
        public Builder state(DownloadState value) { this.state = value; return this; }
        public Builder bytesDownloaded(long value) { this.bytesDownloaded = value; return this; }
        public Builder attempts(int value) { this.attempts = value; return this; }
        public Builder restarts(int value) { this.restarts = value; return this; }
        public Builder mismatchedSha256(Sha256 value) { this.mismatchedSha256 = value; return this; }
        public Builder nextAttemptAt(Instant value) { this.nextAttemptAt = value; return this; }
        public Builder lastError(String value) { this.lastError = value; return this; }
        public Builder validator(Validator value) { this.validator = value; return this; }
        /** Defaults to {@code bytesDownloaded}: a document from before the two marks fsynced what it claimed. */
        public Builder bytesDurable(Long value) { this.bytesDurable = value; return this; }
        public Builder bootId(String value) { this.bootId = value; return this; }
        public Builder header(String value) { this.header = value; return this; }
        public Builder partEncoding(PartEncoding value) { this.partEncoding = value; return this; }
        public Builder placedSize(Long value) { this.placedSize = value; return this; }
        public Builder reportedSize(Long value) { this.reportedSize = value; return this; }
        public Builder bytesReused(Long value) { this.bytesReused = value; return this; }
        public Builder pieces(PieceMap value) { this.pieces = value; return this; }
        public Builder durablePieces(PieceMap value) { this.durablePieces = value; return this; }

        public Download build() {
            return new Download(this);
        }
    }
}
