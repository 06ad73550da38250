package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.LocalStorageException;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.BootId;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.application.port.out.Throttle;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import static java.util.Objects.requireNonNull;

/**
 * The download use case: takes the download's lock, finds out what an earlier run left on disk, and hands the rest
 * to an {@link AttemptLoop} built for this run; {@link PartRecovery} decides how much of an earlier run counts.
 *
 * <p>One pass over the disk: each served byte is decrypted on arrival and written once, at its final offset, to a
 * part file that is renamed into place at the end; a {@link Verifier} re-derives and hashes what was served on its
 * own thread, and a {@link Syncer} makes the part durable in batches on another. The state records two marks:
 * bytes written and bytes synced, and the boot they were written in. A new run of the same boot trusts every byte
 * the part file holds (only the process died; the page cache kept them); after another boot only the synced ones.
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
    private final BootId bootId;
    private final Throttle throttle;
    private final TransferSettings settings;

    public DownloadService(ArtifactSource source, StateStore store, Locks locks, FileStore files, HostHealth hosts,
                           Digest digest, Cipher cipher, Clock clock, Sleeper sleeper, RandomGenerator random,
                           BootId bootId, Throttle throttle, TransferSettings settings) {
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
        this.bootId = requireNonNull(bootId, "bootId is null");
        this.throttle = requireNonNull(throttle, "throttle is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** The state document of a download is named after the artifact and where it goes. */
    public static DownloadId idFor(Sha256 sha256, String outputPath) {
        return new DownloadId(sha256.hex().substring(0, 16) + "-" + String.format("%08x", outputPath.hashCode()));
    }

    /** Where the bytes collect until they are verified: beside the output, so the final rename is atomic. */
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
            download = newDownload(id, command);
        }
        String holder = locks.holder(id).map(pid -> " (pid " + pid + ")").orElse("");
        return new DownloadResult(Outcome.NOT_FINISHED, DownloadStatus.of(download), "another skyloader process"
                + holder + " is downloading " + command.outputPath() + " right now; nothing was changed");
    }

    private Download newDownload(DownloadId id, DownloadCommand command) {
        return Download.create(id, command.url(), command.sha256(), command.expectedSize(), command.cipher(),
                command.outputPath(), partPathFor(command.outputPath()), clock.instant());
    }

    private DownloadResult downloadLocked(DownloadId id, DownloadCommand command) throws InterruptedException {
        Journal journal;
        try {
            journal = new Journal(prepare(id, command), store, clock, true);
        } catch (IOException e) {
            throw new LocalStorageException("cannot read or write the state of " + id + ": " + describe(e), e);
        }
        if (journal.read(Download::state) == DownloadState.COMPLETE) {
            return journal.result(Outcome.COMPLETE, "already complete: " + command.outputPath());
        }
        Part part = new Part(files, partPathFor(command.outputPath()), journal, digest, cipher, command.cipher(),
                command.key(), settings);
        boolean stopped = false;
        try {
            // A run killed while it converted the part or staged a file left that copy behind.
            files.deleteStaged(partPathFor(command.outputPath()));
            DeltaStep.setAsideUnclaimedPart(files, journal, command, partPathFor(command.outputPath()));
            new PartRecovery(files, cipher, bootId, settings.bufferSize()).recover(journal, part, command);
            AttemptLoop loop = newLoop(journal, part, command);
            DownloadResult result = loop.run();
            if (result.outcome() != Outcome.NOT_FINISHED) {
                DeltaStep.cleanUp(files, partPathFor(command.outputPath()), command);
            }
            return result;
        } catch (IOException e) {
            return pauseOnLocalError(journal, part, e);
        } catch (InterruptedException e) {
            // Cleared while the stop is recorded: the work of stopping must not be interrupted in turn.
            Thread.interrupted();
            stopped = true;
            try {
                // Every byte written becomes durable and counted: the next run, of any boot, fetches none again.
                part.recordWritten();
                part.syncNow();
            } catch (IOException | RuntimeException | InterruptedException ignored) {
                // what the syncer made durable so far stays counted, which is safe
            }
            throw e;
        } finally {
            // Makes every byte written durable and records it (the syncer's last batch).
            part.close();
            if (stopped) {
                Thread.interrupted();
                recordStop(journal);
            }
        }
    }

    /**
     * Interrupted (SIGTERM, Ctrl-C, or a caller that cancelled): a download that was under way is paused, so that the
     * state tells no process works on it; one waiting out a backoff keeps its next attempt.
     */
    private static void recordStop(Journal journal) {
        try {
            journal.change((d, now) -> {
                if (d.state().isInFlight() && d.state().canMoveTo(DownloadState.PAUSED)) {
                    d.pauseForAction("stopped at " + d.bytesDownloaded() + " bytes; run again to resume", now);
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // the document as the syncer left it is safe: a new run resumes from it
        }
    }

    private AttemptLoop newLoop(Journal journal, Part part, DownloadCommand command) {
        DownloadListener listener = command.listener();
        // The size this run was given, else the one an earlier run was given.
        OptionalLong size = command.expectedSize().isPresent() ? command.expectedSize()
                : journal.read(Download::expectedSize);
        Transfer transfer = new Transfer(source, hosts, journal, part, command.cipher(), size, listener,
                settings.bufferSize(), throttle);
        Finisher finisher = new Finisher(journal, part, files, new PartConversion(files, cipher, settings.bufferSize()),
                command.cipher(), command.key(), command.maxRestarts(), settings.freeSpaceMargin(), listener);
        RetryTiers tiers = new RetryTiers(journal, source, sleeper, random, settings, command.backoff(),
                command.maxAttempts(), listener);
        Connections connections = new Connections(transfer, part, command.connections(), settings.pieceSize(), size,
                command.cipher().headerBytes(), listener, journal.read(Download::id), "skyloader-connection");
        DeltaStep delta = new DeltaStep(source, files, cipher);
        AttemptLoop.Before before = current -> journal.read(d -> DeltaStep.due(d, command))
                ? delta.apply(journal, part, command, current) : Optional.empty();
        return new AttemptLoop(journal, part, connections, finisher, tiers, new SourceRotation(command.sources(), hosts),
                hosts, listener, before);
    }

    private Download prepare(DownloadId id, DownloadCommand command) throws IOException {
        var now = clock.instant();
        Download download = store.load(id).filter(stored -> sameArtifact(stored, command)).orElse(null);
        if (download != null && download.wasPlaced(files.exists(download.partPath()),
                files.size(download.outputPath()))) {
            // The rename went through and the process died before it could record the end.
            download.complete(now);
            store.save(download);
            return download;
        }
        if (download != null && download.state() == DownloadState.COMPLETE && !files.exists(download.outputPath())) {
            command.listener().notice(id, "the output of an earlier complete download is gone: downloading again");
            download = null;
        } else if (download != null && download.state() == DownloadState.COMPLETE && download.placedSize().isPresent()
                && !files.size(download.outputPath()).equals(download.placedSize())) {
            command.listener().notice(id, "the output of an earlier complete download was changed since ("
                    + files.size(download.outputPath()).orElse(0) + " bytes, not the "
                    + download.placedSize().getAsLong() + " it was put in place with): downloading again");
            download = null;
        }
        if (download == null) {
            download = newDownload(id, command);
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
        // Saved with the first change of the run, after the first request went out (see Journal#changeLater).
        return download;
    }

    /**
     * The same SHA-256, output and cipher. A size given in one run and not in the other is the same artifact (the
     * SHA-256 names it); two different sizes are not.
     */
    private static boolean sameArtifact(Download stored, DownloadCommand command) {
        return stored.expectedSha256().equals(command.sha256())
                && stored.outputPath().equals(command.outputPath())
                && stored.cipher() == command.cipher()
                && (stored.expectedSize().isEmpty() || command.expectedSize().isEmpty()
                || stored.expectedSize().equals(command.expectedSize()));
    }

    private DownloadResult pauseOnLocalError(Journal journal, Part part, IOException e) {
        if (e instanceof FileStore.NotWritableException) {
            // Waiting would not change it: a person has to (a permission, a read-only mount, a file in the way).
            String message = "cannot write the output's folder: " + e.getMessage();
            try {
                journal.change((d, now) -> d.fail(message, now));
            } catch (IOException | RuntimeException ignored) {
                // the state directory may be as unwritable: the result says it all the same
            }
            return journal.result(Outcome.FAILED, message);
        }
        if (e instanceof Part.NoRoomException) {
            return pauseUntilActedOn(journal, e.getMessage());
        }
        String problem = String.valueOf(e.getMessage()).contains("No space left on device")
                ? "the disk is full (" + describe(e) + ")" : "local storage error: " + describe(e);
        try {
            part.recordWritten();
            part.syncNow();
        } catch (IOException | RuntimeException | InterruptedException ignored) {
            // the disk is failing: the marks stay where they were, which is safe
        }
        return pauseUntilActedOn(journal, problem + "; " + journal.bytes() + " bytes kept, run again to resume");
    }

    /** Paused until a person acts (frees space, fixes the disk); the result says why. */
    private static DownloadResult pauseUntilActedOn(Journal journal, String message) {
        try {
            journal.change((d, now) -> {
                if (d.state().canMoveTo(DownloadState.PAUSED)) {
                    d.pauseForAction(message, now);
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // the disk may be failing: the last good document stays, which is safe
        }
        return journal.result(Outcome.NOT_FINISHED, message);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
