package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * One attempt over up to N connections to one source: the missing bytes as pieces from a {@link PieceScheduler},
 * each connection a {@link Transfer} of its own piece on a thread of its own. Failures are per connection: a
 * connection that moved bytes before it failed reconnects at once for the lowest piece free, one that moved none
 * retires, and the others go on. A source that answers with another object, or refuses for good, stops every
 * connection. The attempt ends when every connection has ended: with every byte here, or with the error that ended
 * the last of them, for the attempt loop to judge as it judges a single connection's.
 *
 * <p>One connection, and a part without gaps, is the plain case: one request from the first missing byte to the end.
 */
final class Connections {

    private final Transfer transfer;
    private final Part part;
    private final int connections;
    private final long pieceSize;
    private final OptionalLong expectedSize;
    private final String threadName;
    private final int headerBytes;
    private final DownloadListener listener;
    private final DownloadId id;
    /** A source of this run answered a piece with the whole object: one connection from then on. */
    private boolean rangesIgnored;

    /**
     * @param expectedSize the size of the bytes served, when known before the first answer
     */
    Connections(Transfer transfer, Part part, int connections, long pieceSize, OptionalLong expectedSize,
                int headerBytes, DownloadListener listener, DownloadId id, String threadName) {
        this.headerBytes = headerBytes;
        this.listener = requireNonNull(listener, "listener is null");
        this.id = requireNonNull(id, "id is null");
        this.transfer = requireNonNull(transfer, "transfer is null");
        this.part = requireNonNull(part, "part is null");
        this.expectedSize = requireNonNull(expectedSize, "expectedSize is null");
        this.threadName = requireNonNull(threadName, "threadName is null");
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be positive, got " + connections);
        }
        this.connections = connections;
        this.pieceSize = pieceSize;
    }

    Transfer.Outcome fetch(SourceUrl url) throws IOException, InterruptedException {
        if (transfer.hasAllBytes()) {
            return new Transfer.AllBytes();
        }
        PieceMap written = part.written();
        boolean gaps = written.present() != written.prefix();
        if (connections == 1 && !gaps || rangesIgnored) {
            return transfer.fetch(url);
        }
        long length = bodyLength();
        if (connections > 1 && !gaps && length >= 0 && (length - written.prefix()) / 2 < pieceSize) {
            // Too little left to split: one connection, as for a small artifact.
            return transfer.fetch(url);
        }
        // With the length known every connection starts at once; those after the first wait for the header the
        // first brings before they decrypt (their answers flowing meanwhile: TCP and TLS handshakes, first bytes).
        // With it unknown the first connection goes alone until its answer tells it.
        // One connection with gaps: a piece per gap, none split.
        long size = connections == 1 ? Long.MAX_VALUE - 15 : pieceSize;
        // A piece is split only into halves of at least half a piece: the connection that gives up the second half
        // closes its answer there, and whatever the server had sent beyond (the socket buffers, a link's
        // bandwidth-delay product) is paid for and lost. Splits are for the end, not for every last byte.
        long minSplit = Math.max(16, pieceSize / 2 / 16 * 16);
        PieceScheduler scheduler = new PieceScheduler(written, length, size, minSplit);
        Worker[] workers = new Worker[connections];
        Thread[] threads = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            workers[i] = new Worker(url, scheduler);
            threads[i] = Thread.ofPlatform().daemon().name(threadName + "-" + (i + 1)).start(workers[i]);
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    // Stop every connection, but wait for them: none may write after the part moves on. Interrupted
                    // too, so that none waits out a read first.
                    interrupted = true;
                    scheduler.stop();
                    for (Thread each : threads) {
                        each.interrupt();
                    }
                }
            }
        }
        part.recordWritten();
        if (interrupted) {
            throw new InterruptedException("interrupted while " + connections + " connections were running");
        }
        boolean failedHere = false;
        for (Worker worker : workers) {
            failedHere |= worker.localFailure != null || worker.runtimeFailure != null || worker.fatal != null;
        }
        for (Worker worker : workers) {
            if (worker.rangesIgnored != null && !failedHere) {
                rangesIgnored = true;
                synchronized (listener) {
                    listener.notice(id, worker.rangesIgnored);
                }
                return transfer.fetch(url);
            }
        }
        return outcome(url, scheduler, workers);
    }

    /** The body's length in part bytes when the size is known; -1 otherwise. */
    private long bodyLength() {
        OptionalLong served = expectedSize.isPresent() ? expectedSize : transfer.remoteTotal();
        return served.isPresent() ? served.getAsLong() - headerBytes : -1;
    }

    private Transfer.Outcome outcome(SourceUrl url, PieceScheduler scheduler, Worker[] workers)
            throws IOException, InterruptedException {
        for (Worker worker : workers) {
            if (worker.localFailure != null) {
                throw worker.localFailure;
            }
        }
        for (Worker worker : workers) {
            if (worker.runtimeFailure != null) {
                throw worker.runtimeFailure;
            }
        }
        for (Worker worker : workers) {
            if (worker.fatal != null) {
                return new Transfer.Interrupted(worker.fatal);
            }
        }
        long length = scheduler.length();
        if (length >= 0 && part.written().covers(length) && part.header().isPresent()) {
            return new Transfer.AllBytes();
        }
        for (Worker worker : workers) {
            if (worker.readToTheEnd) {
                // The first answer told no size: the rest over one connection, to the end of the object.
                return transfer.fetch(url);
            }
        }
        // A request to slow down from any connection is what the attempt ends with: it slows them all.
        SourceException last = null;
        for (Worker worker : workers) {
            SourceException error = worker.lastError;
            if (error != null && (last == null || last.retryAfter().isEmpty() || error.retryAfter().isPresent())) {
                last = error;
            }
        }
        if (last == null) {
            last = SourceException.transientError("the connections ended with " + part.present()
                    + " part bytes of " + (length < 0 ? "an unknown length" : String.valueOf(length)), null);
        }
        return new Transfer.Interrupted(last);
    }

    /** One connection: piece after piece until none is left, a failure without progress, or a stop. */
    private final class Worker implements Runnable {
        private final SourceUrl url;
        private final PieceScheduler scheduler;
        private SourceException fatal;
        private SourceException lastError;
        private IOException localFailure;
        private RuntimeException runtimeFailure;
        private String rangesIgnored;
        private boolean readToTheEnd;

        Worker(SourceUrl url, PieceScheduler scheduler) {
            this.url = url;
            this.scheduler = scheduler;
        }

        @Override
        public void run() {
            try {
                PieceScheduler.Piece piece;
                while ((piece = scheduler.take()) != null) {
                    long before = scheduler.position(piece);
                    if (before > part.size()) {
                        // This piece leaves a gap: the state must say so before it does (see PartRecovery).
                        part.markPiecewise();
                    }
                    Transfer.Outcome outcome = null;
                    boolean stoppedBefore;
                    try {
                        outcome = transfer.fetch(url, Transfer.piece(scheduler, piece));
                    } finally {
                        stoppedBefore = scheduler.stopped();
                        if (outcome == null || outcome instanceof Transfer.RangesIgnored
                                || outcome instanceof Transfer.Interrupted failed
                                && failed.error().kind() != SourceException.Kind.TRANSIENT) {
                            // Every connection stops before this piece goes back: none may take it again.
                            scheduler.stop();
                        }
                        scheduler.release(piece);
                    }
                    if (outcome instanceof Transfer.RangesIgnored ignored) {
                        rangesIgnored = ignored.message();
                        return;
                    }
                    if (outcome instanceof Transfer.AllBytes && scheduler.length() < 0) {
                        readToTheEnd = true;
                    }
                    if (!(outcome instanceof Transfer.Interrupted interrupted) || stoppedBefore) {
                        continue;
                    }
                    SourceException error = interrupted.error();
                    if (error.kind() != SourceException.Kind.TRANSIENT) {
                        fatal = error;
                        return;
                    }
                    lastError = error;
                    boolean moved = scheduler.position(piece) != before;
                    if (scheduler.single()) {
                        // One connection at a time: its failure is the attempt's, judged as a single connection's.
                        return;
                    }
                    synchronized (listener) {
                        listener.notice(id, error.getMessage() + (moved
                                ? "; resuming that piece at once" : "; that connection stops (any others go on)"));
                    }
                    if (!moved) {
                        return;
                    }
                }
            } catch (IOException e) {
                localFailure = e;
                scheduler.stop();
            } catch (InterruptedException e) {
                scheduler.stop();
            } catch (RuntimeException e) {
                runtimeFailure = e;
                scheduler.stop();
            }
        }
    }
}
