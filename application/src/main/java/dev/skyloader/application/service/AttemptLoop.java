package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.service.FailurePolicy.Decision;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Attempt after attempt until the download is complete, failed, or waiting on someone: connections through
 * {@link Connections}, its failure judged by the {@link FailurePolicy}, waits by the {@link RetryTiers}, sources by the
 * {@link SourceRotation}, and the end by the {@link Finisher}.
 */
final class AttemptLoop {
    private final Journal journal;
    private final Part part;
    private final Connections transfer;
    private final Finisher finisher;
    private final RetryTiers tiers;
    private final SourceRotation rotation;
    private final HostHealth hosts;
    private final DownloadListener listener;
    private final DownloadId id;
    /** Sources that failed in a row without moving a byte since the last wait: a full round means wait. */
    private int failuresThisRound;
    private int changedInARow;
    private final Before before;

    /** Work of an attempt before its transfer (a delta update): a transient failure fails the attempt. */
    interface Before {
        Optional<SourceException> run(SourceUrl source) throws IOException, InterruptedException;
    }

    AttemptLoop(Journal journal, Part part, Connections transfer, Finisher finisher, RetryTiers tiers,
                SourceRotation rotation, HostHealth hosts, DownloadListener listener, Before before) {
        this.before = requireNonNull(before, "before is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.part = requireNonNull(part, "part is null");
        this.transfer = requireNonNull(transfer, "transfer is null");
        this.finisher = requireNonNull(finisher, "finisher is null");
        this.tiers = requireNonNull(tiers, "tiers is null");
        this.rotation = requireNonNull(rotation, "rotation is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.id = journal.read(d -> d.id());
    }

    DownloadResult run() throws IOException, InterruptedException {
        while (true) {
            journal.changeLater((d, now) -> d.startAttempt(now));
            DownloadResult noRoom = finisher.pauseUnlessRoom();
            if (noRoom != null) {
                return noRoom;
            }
            Optional<SourceException> unready = before.run(rotation.current());
            if (unready.isPresent()) {
                DownloadResult ended = afterFailure(unready.get(), false);
                if (ended != null) {
                    return ended;
                }
                continue;
            }
            long bytesBefore = journal.bytes();
            Transfer.Outcome outcome = transfer.fetch(rotation.current());
            if (outcome instanceof Transfer.AllBytes) {
                switch (finisher.finish()) {
                    case Finisher.Done done -> {
                        return done.result();
                    }
                    case Finisher.Again again -> {
                        continue;
                    }
                }
            }
            SourceException error = ((Transfer.Interrupted) outcome).error();
            DownloadResult ended = afterFailure(error, journal.bytes() > bytesBefore);
            if (ended != null) {
                return ended;
            }
        }
    }

    /** @return the result that ends the run, or null to go on */
    private DownloadResult afterFailure(SourceException error, boolean progressed)
            throws IOException, InterruptedException {
        if (progressed) {
            failuresThisRound = 0;
        }
        if (error.kind() == SourceException.Kind.TRANSIENT && !progressed) {
            hosts.failed(rotation.current().origin());
        }
        Decision decision = FailurePolicy.decide(new FailurePolicy.Situation(error.kind(), error.getMessage(),
                progressed, rotation.size(), rotation.deadReasons(), failuresThisRound, changedInARow,
                journal.bytes(), journal.read(d -> d.validator().isPresent())));
        switch (decision) {
            case FailurePolicy.SwitchSource change -> {
                if (change.giveUp()) {
                    rotation.giveUpOnCurrent(error.getMessage());
                } else {
                    failuresThisRound++;
                }
                switchSource(change.reason());
                return null;
            }
            case FailurePolicy.Fail fail -> {
                part.syncNow();
                part.deleteIfEmpty();
                journal.change((d, now) -> d.fail(fail.message(), now));
                return journal.result(Outcome.FAILED, fail.message());
            }
            case FailurePolicy.Pause pause -> {
                part.syncNow();
                journal.change((d, now) -> d.pauseForAction(pause.message(), now));
                return journal.result(Outcome.NOT_FINISHED, pause.message());
            }
            case FailurePolicy.Restart restart -> {
                part.cutToZero(() -> journal.change((d, now) -> d.restartFromZero(restart.reason(), now)));
                listener.notice(id, restart.reason());
                changedInARow++;
                if (!restart.thenWait()) {
                    return null;
                }
                changedInARow = 0;
            }
            case FailurePolicy.Retry retry -> {
                if (error.kind() == SourceException.Kind.TRANSIENT && !progressed) {
                    failuresThisRound = 0;
                }
            }
        }
        if (progressed) {
            changedInARow = 0;
        } else {
            part.syncNow();
        }
        switch (tiers.waitAfter(error, progressed, rotation::current)) {
            case RetryTiers.GaveUp gaveUp -> {
                return journal.result(Outcome.NOT_FINISHED, gaveUp.message());
            }
            case RetryTiers.Resume resume -> {
                if (!progressed) {
                    // After a wait, go round the sources again, starting with the next one.
                    rotation.next();
                }
                return null;
            }
        }
    }

    private void switchSource(String reason) {
        SourceUrl from = rotation.current();
        rotation.next();
        listener.notice(id, reason + "; trying " + rotation.current().redacted() + " next (was "
                + from.redacted() + ")");
    }
}
