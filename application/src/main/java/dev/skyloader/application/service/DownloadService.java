package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.application.port.out.FileStore.StagedFile;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.DurationText;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import static java.util.Objects.requireNonNull;

/**
 * Drives one download from wherever it stands to {@code complete} or {@code failed}.
 *
 * <p>Bytes go to a part file beside the output and into a running SHA-256 at the same time, so that verification
 * costs no second pass; on a new process the kept prefix is hashed once. The part file is fsynced before the state
 * claims its bytes, so after any crash the state never claims more than is on disk; bytes on disk beyond the last
 * checkpoint are cut off, since a power loss may have left them as garbage.
 */
public final class DownloadService implements DownloadArtifact {
    private final ArtifactSource source;
    private final StateStore store;
    private final Locks locks;
    private final FileStore files;
    private final HostHealth hosts;
    private final Digest digest;
    private final Cipher cipher;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final TransferSettings settings;

    public DownloadService(ArtifactSource source, StateStore store, Locks locks, FileStore files, HostHealth hosts,
                           Digest digest, Cipher cipher, Clock clock, Sleeper sleeper, RandomGenerator random,
                           TransferSettings settings) {
        this.source = requireNonNull(source, "source is null");
        this.store = requireNonNull(store, "store is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.files = requireNonNull(files, "files is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.digest = requireNonNull(digest, "digest is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.random = requireNonNull(random, "random is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** The state document of a download is named after the artifact and where it goes. */
    public static DownloadId idFor(Sha256 sha256, String outputPath) {
        return new DownloadId(sha256.hex().substring(0, 16) + "-" + String.format("%08x", outputPath.hashCode()));
    }

    /** Where the served bytes collect until they are verified: beside the output, so the final rename is atomic. */
    public static String partPathFor(String outputPath) {
        return outputPath + ".part";
    }

    @Override
    @SuppressWarnings("try") // the lease is held for the whole body and released by the try
    public DownloadResult download(DownloadCommand command) throws InterruptedException {
        requireNonNull(command, "command is null");
        DownloadId id = idFor(command.sha256(), command.outputPath());
        Optional<Locks.Lease> lease;
        try {
            lease = locks.tryLock(id);
        } catch (IOException e) {
            throw new LocalStorageException("cannot lock " + id + " in the state directory: " + describe(e), e);
        }
        if (lease.isEmpty()) {
            return busy(id, command);
        }
        try (Locks.Lease held = lease.get()) {
            return downloadLocked(id, command);
        } catch (IOException e) {
            throw new LocalStorageException("cannot release the lock of " + id + ": " + describe(e), e);
        }
    }

    private DownloadResult busy(DownloadId id, DownloadCommand command) {
        Download download;
        try {
            download = store.load(id).orElse(null);
        } catch (IOException e) {
            download = null;
        }
        if (download == null) {
            download = Download.create(id, command.url(), command.sha256(), command.expectedSize(), command.cipher(),
                    command.outputPath(), partPathFor(command.outputPath()), clock.instant());
        }
        String holder = locks.holder(id).map(pid -> " (pid " + pid + ")").orElse("");
        return result(Outcome.NOT_FINISHED, download, "another skyloader process" + holder
                + " is downloading " + command.outputPath() + " right now; nothing was changed");
    }

    private DownloadResult downloadLocked(DownloadId id, DownloadCommand command) throws InterruptedException {
        Download download;
        try {
            download = prepare(id, command);
        } catch (IOException e) {
            throw new LocalStorageException("cannot read or write the state of " + id + ": " + describe(e), e);
        }
        if (download.state() == DownloadState.COMPLETE) {
            return result(Outcome.COMPLETE, download, "already complete: " + download.outputPath());
        }
        Run run = new Run(download, command);
        try {
            return run.execute();
        } catch (IOException e) {
            return run.pauseOnLocalError(e);
        } finally {
            run.closePart();
        }
    }

    private Download prepare(DownloadId id, DownloadCommand command) throws IOException {
        Instant now = clock.instant();
        Download download = store.load(id).filter(stored -> sameArtifact(stored, command)).orElse(null);
        if (download != null && download.state() == DownloadState.COMPLETE && !files.exists(download.outputPath())) {
            command.listener().notice(id, "the output of an earlier complete download is gone: downloading again");
            download = null;
        }
        if (download == null) {
            download = Download.create(id, command.url(), command.sha256(), command.expectedSize(), command.cipher(),
                    command.outputPath(), partPathFor(command.outputPath()), now);
        }
        if (download.state() == DownloadState.COMPLETE) {
            return download;
        }
        if (download.state() == DownloadState.FAILED) {
            download.retryAfterFailure(now);
        }
        download.recoverFromInterruption(now);
        if (!download.url().equals(command.url().redacted())) {
            download.changeUrl(command.url(), now);
        }
        store.save(download);
        return download;
    }

    private static boolean sameArtifact(Download stored, DownloadCommand command) {
        return stored.expectedSha256().equals(command.sha256())
                && stored.outputPath().equals(command.outputPath())
                && stored.cipher() == command.cipher()
                && stored.expectedSize().equals(command.expectedSize());
    }

    private static DownloadResult result(Outcome outcome, Download download, String message) {
        return new DownloadResult(outcome, DownloadStatus.of(download), message);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The local disk failed us (state directory or part file); the download is paused and resumable. */
    public static final class LocalStorageException extends RuntimeException {
        public LocalStorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The mutable bookkeeping of one invocation. */
    private final class Run {
        private final Download download;
        private final DownloadCommand command;
        private final DownloadListener listener;
        private final DownloadId id;
        private PartFile part;
        private Digest.Hasher hasher;
        /** The hasher has seen exactly the part file's bytes [0, hashedBytes); -1 when there is no hasher. */
        private long hashedBytes = -1;
        private long lastCheckpointBytes;
        private Instant lastCheckpointAt;
        private int quickFailures;
        private int failedAttempts;
        private int changedInARow;
        /** The URL first, then the mirrors; {@code current} is the one in use. */
        private final List<SourceUrl> sources;
        private int current;
        /** Sources that failed for good in this run, with why. */
        private final Map<Integer, String> dead = new LinkedHashMap<>();
        /** Sources that failed in a row without moving a byte since the last wait: a full round means wait. */
        private int failuresThisRound;
        /** The size the sources so far reported, when the artifact's own size is not known. */
        private OptionalLong remoteTotal = OptionalLong.empty();

        Run(Download download, DownloadCommand command) {
            this.download = download;
            this.command = command;
            this.listener = command.listener();
            this.id = download.id();
            this.sources = command.sources();
        }

        DownloadResult execute() throws IOException, InterruptedException {
            part = files.openPart(download.partPath());
            if (!hosts.available(sources.get(current).origin())) {
                nextSource();
            }
            while (true) {
                download.startAttempt(now());
                save();
                reconcilePartFile();
                Optional<DownloadResult> noRoom = checkFreeSpace();
                if (noRoom.isPresent()) {
                    return noRoom.get();
                }
                long before = download.bytesDownloaded();
                Optional<SourceException> failure = transfer();
                if (failure.isEmpty()) {
                    Optional<DownloadResult> finished = verifyAndDecrypt();
                    if (finished.isPresent()) {
                        return finished.get();
                    }
                    continue;
                }
                SourceException error = failure.get();
                boolean progressed = download.bytesDownloaded() > before;
                if (progressed) {
                    failuresThisRound = 0;
                }
                if ((error.kind() == SourceException.Kind.PERMANENT || error.kind() == SourceException.Kind.DENIED)
                        && dead.size() + 1 < sources.size()) {
                    dead.put(current, error.getMessage());
                    switchSource(error.getMessage() + "; giving up on this source");
                    continue;
                }
                if (error.kind() == SourceException.Kind.TRANSIENT && !progressed) {
                    hosts.failed(sources.get(current).origin());
                    if (++failuresThisRound < sources.size() - dead.size()) {
                        switchSource(error.getMessage());
                        continue;
                    }
                    failuresThisRound = 0;
                }
                switch (error.kind()) {
                    case PERMANENT -> {
                        String message = dead.isEmpty() ? error.getMessage()
                                : "every source failed: " + String.join("; ", dead.values()) + "; " + error.getMessage();
                        download.fail(message, now());
                        save();
                        return result(Outcome.FAILED, download, message);
                    }
                    case DENIED -> {
                        if (download.bytesDownloaded() == 0 && download.validator().isEmpty()) {
                            download.fail(error.getMessage(), now());
                            save();
                            return result(Outcome.FAILED, download, error.getMessage());
                        }
                        // The URL worked before: it (or the credentials) expired. Keep every byte for a fresh URL.
                        String message = error.getMessage() + "; " + download.bytesDownloaded() + " bytes kept: run"
                                + " again with a fresh URL for the same SHA-256 to continue from there";
                        download.pauseForAction(message, now());
                        save();
                        return result(Outcome.NOT_FINISHED, download, message);
                    }
                    case CHANGED -> {
                        restartFromZero(error.getMessage() + ": starting again from byte 0");
                        // A source that keeps changing under us is a transient fault, not a reason to spin.
                        if (++changedInARow <= 2) {
                            continue;
                        }
                        changedInARow = 0;
                    }
                    case TRANSIENT -> {
                    }
                }
                Optional<DownloadResult> gaveUp = waitBeforeRetry(error, progressed);
                if (gaveUp.isPresent()) {
                    return gaveUp.get();
                }
                if (!progressed) {
                    // After a wait, go round the sources again, starting with the next one.
                    nextSource();
                }
            }
        }

        /** Moves to the next source still in play, and says so. */
        private void switchSource(String reason) {
            SourceUrl from = sources.get(current);
            nextSource();
            listener.notice(id, reason + "; trying " + sources.get(current).redacted() + " next (was "
                    + from.redacted() + ")");
        }

        /**
         * The next source not given up on, preferring hosts that are not being skipped for repeated failures. When
         * every remaining host is being skipped, the next one is tried anyway: a download never stalls on its
         * breakers alone.
         */
        private void nextSource() {
            if (sources.size() == 1) {
                return;
            }
            int fallback = -1;
            for (int step = 1; step <= sources.size(); step++) {
                int candidate = (current + step) % sources.size();
                if (dead.containsKey(candidate)) {
                    continue;
                }
                if (hosts.available(sources.get(candidate).origin())) {
                    current = candidate;
                    return;
                }
                if (fallback < 0) {
                    fallback = candidate;
                }
            }
            if (fallback >= 0) {
                current = fallback;
            }
        }

        /** Either reconnect soon (quick tier), or count a failed attempt and wait out the long schedule. */
        private Optional<DownloadResult> waitBeforeRetry(SourceException error, boolean progressed)
                throws IOException, InterruptedException {
            String reason = error.getMessage();
            if (progressed) {
                quickFailures = 0;
                changedInARow = 0;
                listener.notice(id, reason + "; resuming at byte " + download.bytesDownloaded());
                return Optional.empty();
            }
            List<Duration> quick = settings.reconnectDelays();
            // A server that said when to come back (Retry-After) gets no quick reconnects.
            if (quickFailures < quick.size() && error.retryAfter().isEmpty()) {
                Duration wait = quick.get(quickFailures++);
                listener.waiting(id, wait, reason);
                sleeper.sleep(wait);
                return Optional.empty();
            }
            quickFailures = 0;
            failedAttempts++;
            Duration wait = command.backoff().delayAfter(download.attempts() + 1, random);
            Optional<Duration> asked = error.retryAfter();
            if (asked.isPresent() && asked.get().compareTo(wait) > 0) {
                wait = asked.get().compareTo(command.backoff().maximum()) > 0 ? command.backoff().maximum() : asked.get();
            }
            Instant now = now();
            download.attemptFailed(reason, now.plus(wait), now);
            save();
            if (command.maxAttempts().isPresent() && failedAttempts >= command.maxAttempts().getAsInt()) {
                return Optional.of(result(Outcome.NOT_FINISHED, download, "not finished after " + failedAttempts
                        + " attempt" + (failedAttempts == 1 ? "" : "s") + " (" + reason + "); "
                        + download.bytesDownloaded() + " bytes kept, run again to resume"));
            }
            listener.waiting(id, wait, reason);
            waitOrWake(wait);
            return Optional.empty();
        }

        /**
         * Waits out a backoff, but not longer than needed: a kick ends it at once, and so does the source answering a
         * probe again (the link is back), asked every probe interval.
         */
        private void waitOrWake(Duration wait) throws InterruptedException {
            Instant until = now().plus(wait);
            Duration interval = settings.probeInterval();
            while (now().isBefore(until)) {
                Duration left = Duration.between(now(), until);
                Duration slice = interval.isZero() || interval.compareTo(left) > 0 ? left : interval;
                if (sleeper.sleep(slice)) {
                    listener.notice(id, "woken up: starting the next attempt now");
                    return;
                }
                if (!interval.isZero() && now().isBefore(until) && source.probe(sources.get(current))) {
                    listener.notice(id, download.url() + " answers again: starting the next attempt now");
                    return;
                }
            }
        }

        /**
         * Fails fast, before a byte is paid for, when the disk cannot hold the rest of the part file and the
         * decrypted output (an encrypted artifact briefly exists twice) with a margin.
         */
        private Optional<DownloadResult> checkFreeSpace() throws IOException {
            if (download.expectedSize().isEmpty()) {
                return Optional.empty();
            }
            long size = download.expectedSize().getAsLong();
            long needed = (size - download.bytesDownloaded()) + (download.cipher() == CipherName.NONE ? 0 : size)
                    + settings.freeSpaceMargin();
            long free = files.usableSpace(download.outputPath());
            if (free >= needed) {
                return Optional.empty();
            }
            String message = "not enough disk space for " + download.outputPath() + ": " + needed
                    + " bytes needed (the rest of the download" + (download.cipher() == CipherName.NONE ? ""
                    : ", its decrypted copy") + " and a margin), " + free + " free; free some space and run again";
            download.pauseForAction(message, now());
            save();
            return Optional.of(result(Outcome.NOT_FINISHED, download, message));
        }

        /** The state is the truth about what is durable; the part file is cut back or the state corrected to match. */
        private void reconcilePartFile() throws IOException {
            long onDisk = part.size();
            long claimed = download.bytesDownloaded();
            if (onDisk < claimed) {
                listener.notice(id, "the part file holds " + onDisk + " bytes, fewer than the " + claimed
                        + " recorded: resuming from byte " + onDisk);
                download.truncateTo(onDisk, now());
                save();
            } else if (onDisk > claimed) {
                part.truncate(claimed);
            }
            if (hashedBytes != download.bytesDownloaded()) {
                rehashPart();
            }
        }

        private void rehashPart() throws IOException {
            hasher = digest.newHasher();
            long expected = download.bytesDownloaded();
            long read = 0;
            if (expected > 0) {
                listener.notice(id, "resuming: hashing the " + expected + " bytes already on disk");
                byte[] buffer = new byte[settings.bufferSize()];
                try (InputStream in = part.openReader()) {
                    int n;
                    while (read < expected && (n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - read))) > 0) {
                        hasher.update(buffer, 0, n);
                        read += n;
                    }
                }
                if (read != expected) {
                    throw new IOException("part file shrank while it was hashed: " + read + " of " + expected + " bytes");
                }
            }
            hashedBytes = read;
            lastCheckpointBytes = read;
        }

        /** Fetches the missing bytes; empty when all of them are in the part file. */
        private Optional<SourceException> transfer() throws IOException {
            if (download.hasAllBytes()) {
                return Optional.empty();
            }
            long offset = download.bytesDownloaded();
            SourceUrl url = sources.get(current);
            // A validator means something only to the source that issued it; elsewhere the size and, in the end,
            // the SHA-256 guard against splicing.
            Optional<String> validator = download.validatorSource().equals(Optional.of(url.redacted()))
                    ? download.validator() : Optional.empty();
            RemoteBody body;
            try {
                body = source.open(url, offset, validator);
            } catch (SourceException e) {
                return Optional.of(e);
            }
            hosts.succeeded(url.origin());
            try (body) {
                return copy(body, offset, url, validator);
            }
        }

        private Optional<SourceException> copy(RemoteBody body, long offset, SourceUrl url, Optional<String> validator)
                throws IOException {
            String where = url.redacted();
            if (body.offset() != offset) {
                if (body.offset() != 0) {
                    return Optional.of(SourceException.transientError(where + ": the source answered from byte "
                            + body.offset() + " when asked for byte " + offset, null));
                }
                restartFromZero(where + ": the server sent the whole object instead of resuming at byte " + offset
                        + ", so it may have changed: starting again from byte 0");
            } else if (offset > 0 && validator.isPresent() && body.validator().isPresent()
                    && !validator.equals(body.validator())) {
                return Optional.of(SourceException.changed(where + " changed (validator "
                        + validator.get() + " -> " + body.validator().get() + ")"));
            }
            OptionalLong expected = command.expectedSize();
            OptionalLong total = body.totalSize();
            if (expected.isEmpty() && body.offset() > 0 && remoteTotal.isPresent() && total.isPresent()
                    && remoteTotal.getAsLong() != total.getAsLong()) {
                long other = remoteTotal.getAsLong();
                remoteTotal = OptionalLong.empty();
                return Optional.of(SourceException.changed(where + " is " + total.getAsLong()
                        + " bytes, another source said " + other));
            }
            if (total.isPresent()) {
                remoteTotal = total;
            }
            if (body.validator().isPresent() && (!body.validator().equals(download.validator())
                    || !download.validatorSource().equals(Optional.of(where)))) {
                download.recordValidator(body.validator().get(), where, now());
            }
            if (expected.isPresent() && total.isPresent() && total.getAsLong() != expected.getAsLong()) {
                return Optional.of(SourceException.permanent(where + " is " + total.getAsLong()
                        + " bytes, but the artifact is expected to be " + expected.getAsLong() + " bytes"));
            }
            OptionalLong end = expected.isPresent() ? expected : total;
            long position = download.bytesDownloaded();
            byte[] buffer = new byte[settings.bufferSize()];
            InputStream in = body.body();
            while (end.isEmpty() || position < end.getAsLong()) {
                int wanted = end.isPresent() ? (int) Math.min(buffer.length, end.getAsLong() - position) : buffer.length;
                int n;
                try {
                    n = in.read(buffer, 0, wanted);
                } catch (IOException e) {
                    checkpoint(position);
                    return Optional.of(SourceException.transientError(where + ": connection lost at byte "
                            + position + " (" + describe(e) + ")", e));
                }
                if (n < 0) {
                    break;
                }
                part.append(buffer, 0, n);
                hasher.update(buffer, 0, n);
                position += n;
                hashedBytes = position;
                listener.progress(id, DownloadState.DOWNLOADING, position, end);
                if (position - lastCheckpointBytes >= settings.checkpointBytes()
                        || !now().isBefore(lastCheckpointAt.plus(settings.checkpointInterval()))) {
                    checkpoint(position);
                }
            }
            checkpoint(position);
            if (end.isPresent() && position < end.getAsLong()) {
                return Optional.of(SourceException.transientError(where + ": the connection closed at byte "
                        + position + " of " + end.getAsLong(), null));
            }
            return Optional.empty();
        }

        private void checkpoint(long position) throws IOException {
            part.sync();
            download.recordProgress(position, now());
            save();
            lastCheckpointBytes = position;
        }

        private void restartFromZero(String reason) throws IOException {
            part.truncate(0);
            part.sync();
            download.restartFromZero(reason, now());
            save();
            hasher = digest.newHasher();
            hashedBytes = 0;
            lastCheckpointBytes = 0;
            listener.notice(id, reason);
        }

        /** Empty when the SHA-256 did not match and the download starts again; otherwise how it ended. */
        private Optional<DownloadResult> verifyAndDecrypt() throws IOException {
            download.moveTo(DownloadState.VERIFYING, now());
            save();
            Sha256 actual = Sha256.of(hasher.finish());
            hasher = null;
            hashedBytes = -1;
            listener.progress(id, DownloadState.VERIFYING, download.bytesDownloaded(), download.expectedSize());
            if (!actual.equals(download.expectedSha256())) {
                closePart();
                files.delete(download.partPath());
                boolean again = download.verificationFailed(actual, command.maxRestarts(), now());
                save();
                if (!again) {
                    return Optional.of(result(Outcome.FAILED, download, download.lastError().orElseThrow()));
                }
                listener.notice(id, download.lastError().orElseThrow());
                part = files.openPart(download.partPath());
                return Optional.empty();
            }
            download.moveTo(DownloadState.DECRYPTING, now());
            save();
            listener.progress(id, DownloadState.DECRYPTING, download.bytesDownloaded(), download.expectedSize());
            if (download.cipher() == CipherName.NONE) {
                closePart();
                files.moveIntoPlace(download.partPath(), download.outputPath());
            } else {
                try (StagedFile staged = files.stage(download.outputPath()); InputStream in = part.openReader()) {
                    cipher.decrypt(download.cipher(), command.key().orElseThrow(), in, staged.output());
                    staged.commit();
                } catch (Cipher.DecryptionException e) {
                    String message = "decryption failed: " + e.getMessage()
                            + " (the verified download is kept: run again with the right key)";
                    download.fail(message, now());
                    save();
                    return Optional.of(result(Outcome.FAILED, download, message));
                }
                closePart();
                files.delete(download.partPath());
            }
            download.complete(now());
            save();
            listener.progress(id, DownloadState.COMPLETE, download.bytesDownloaded(), download.expectedSize());
            return Optional.of(result(Outcome.COMPLETE, download, "complete: " + download.outputPath()));
        }

        DownloadResult pauseOnLocalError(IOException e) {
            String problem = String.valueOf(e.getMessage()).contains("No space left on device")
                    ? "the disk is full (" + describe(e) + ")" : "local storage error: " + describe(e);
            String message = problem + "; " + download.bytesDownloaded() + " bytes kept, run again to resume";
            try {
                if (download.state().canMoveTo(DownloadState.PAUSED)) {
                    download.pauseForAction(message, now());
                }
            } catch (RuntimeException ignored) {
                // the state in memory is only a report now
            }
            try {
                save();
            } catch (IOException | RuntimeException ignored) {
                // the disk is failing: the last good document stays, which is safe
            }
            return result(Outcome.NOT_FINISHED, download, message);
        }

        void closePart() {
            if (part != null) {
                try {
                    part.close();
                } catch (IOException ignored) {
                    // nothing left to do with it
                }
                part = null;
            }
        }

        private void save() throws IOException {
            if (lastCheckpointAt == null) {
                lastCheckpointAt = now();
            }
            store.save(download);
            lastCheckpointAt = now();
        }

        private Instant now() {
            return clock.instant();
        }
    }
}
