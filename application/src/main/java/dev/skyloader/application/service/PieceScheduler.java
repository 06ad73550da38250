package dev.skyloader.application.service;

import dev.skyloader.domain.PieceMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Hands out the missing part bytes of one artifact to the connections of a run, as pieces. Lowest missing piece
 * first, so that the contiguous prefix (what the verifier can follow) grows steadily; when nothing is left to hand
 * out, the piece in flight with the most bytes left is split at its midpoint (as aria2 does), so that no connection
 * sits idle at the end. A piece whose connection failed goes back from the byte it reached. Offsets are part
 * offsets; every boundary it makes is a multiple of 16, so a CBC piece starts on a block.
 *
 * <p>Before the body's length is known (the first response tells it) only the lead piece is out, and
 * {@link #take()} waits for the length, for the lead to end, or for a stop.
 */
final class PieceScheduler {
    /** One connection's share: part bytes {@code [start, end)}, written up to {@code position}. */
    static final class Piece {
        private final long start;
        private long position;
        private long end;

        private Piece(long start, long end) {
            this.start = start;
            this.position = start;
            this.end = end;
        }

        long start() {
            return start;
        }
    }

    private final long pieceSize;
    private final long minSplit;
    /** Missing bytes no connection has. */
    private PieceMap free = PieceMap.empty();
    private final List<Piece> inFlight = new ArrayList<>();
    private final PieceMap present;
    /** The body's length in part bytes; -1 until known. */
    private long length;
    private Piece lead;
    /** The thread that took the lead piece: in single mode the only one that goes on. */
    private Thread leadThread;
    private boolean stopped;
    /**
     * One connection at a time, no split: the source ignored the range, the length is unknown, or the artifact is
     * under two pieces.
     */
    private boolean single;

    /**
     * @param present   part bytes already here
     * @param length    the body's length in part bytes, or -1 when not known yet (then a lead piece goes first)
     * @param pieceSize bytes per piece, a multiple of 16
     * @param minSplit  a piece is split only when each half gets at least this many bytes (a multiple of 16)
     */
    PieceScheduler(PieceMap present, long length, long pieceSize, long minSplit) {
        if (pieceSize < 16 || pieceSize % 16 != 0 || minSplit < 16 || minSplit % 16 != 0) {
            throw new IllegalArgumentException("piece size and split size must be positive multiples of 16");
        }
        this.present = present;
        this.pieceSize = pieceSize;
        this.minSplit = minSplit;
        this.length = length;
        if (length >= 0) {
            addMissing(0, length);
        }
    }

    /**
     * The next piece for a connection: the lowest free one, else half of the largest piece in flight; empty when
     * there is nothing to do (all here or in flight and too small to split, or stopped). Waits while the length is
     * not known and the lead piece is out.
     */
    synchronized Piece take() throws InterruptedException {
        if (stopped) {
            return null;
        }
        if (length < 0 && lead == null && !single) {
            // The lead: the first missing piece, from where the prefix ends.
            PieceMap.Range gap = present.firstMissing(Long.MAX_VALUE).orElseThrow();
            long start = gap.start();
            lead = new Piece(start, Math.min(gap.end(), plus(start, pieceSize)));
            leadThread = Thread.currentThread();
            inFlight.add(lead);
            return lead;
        }
        while (length < 0 && lead != null && !stopped && !single) {
            wait();
        }
        if (stopped || length < 0 || single && (!inFlight.isEmpty() || Thread.currentThread() != leadThread)) {
            // One connection at a time: the lead's, going on after its piece.
            return null;
        }
        if (!free.ranges().isEmpty()) {
            PieceMap.Range first = free.ranges().get(0);
            long start = first.start();
            long end = single || first.end() - start - pieceSize < minSplit ? first.end() : plus(start, pieceSize);
            free = free.without(new PieceMap.Range(start, end));
            Piece piece = new Piece(start, end);
            inFlight.add(piece);
            return piece;
        }
        return single ? null : split();
    }

    private Piece split() {
        Piece largest = null;
        for (Piece piece : inFlight) {
            if (largest == null || piece.end - piece.position > largest.end - largest.position) {
                largest = piece;
            }
        }
        if (largest == null || largest.end - largest.position < 2 * minSplit) {
            return null;
        }
        long mid = largest.position + (largest.end - largest.position) / 2;
        mid -= mid % 16;
        Piece half = new Piece(mid, largest.end);
        largest.end = mid;
        inFlight.add(half);
        return half;
    }

    /**
     * The body is {@code partLength} part bytes: hands out the rest. With {@code wholeFromZero} the source ignored
     * the range and sends everything from byte 0 on the lead's connection: the lead's piece becomes the whole body.
     */
    synchronized void learnLength(long partLength, boolean wholeFromZero) {
        // Connections waiting for the length, or for the header the same answer brought, look again once this
        // returns (they need the monitor it holds).
        notifyAll();
        if (length >= 0 || single) {
            return;
        }
        length = partLength;
        if (wholeFromZero && lead != null) {
            // The source ignored the range: the lead's connection brings everything, no other starts.
            single = true;
            lead.position = 0;
            lead.end = partLength < 0 ? Long.MAX_VALUE : partLength;
        } else if (partLength < 0) {
            // No length from the first answer: its connection reads to the end.
            single = true;
            if (lead != null) {
                lead.end = Long.MAX_VALUE;
            }
        } else {
            // Under two pieces left, in one gap: one connection at a time, the rest in one request after the lead.
            single = (partLength - present.present()) / 2 < pieceSize && present.missing(partLength).size() == 1;
            addMissing(0, partLength);
            if (lead != null) {
                lead.end = Math.min(lead.end, partLength);
                if (lead.end > lead.start) {
                    free = free.without(new PieceMap.Range(lead.start, lead.end));
                }
            }
        }
    }

    /** The part byte up to which {@code piece} is wanted now (a split moves it down). */
    synchronized long end(Piece piece) {
        return piece.end;
    }

    /** Where {@code piece}'s connection is: the next byte it writes. */
    synchronized long position(Piece piece) {
        return piece.position;
    }

    /** {@code piece}'s connection wrote up to {@code position}; false when the piece needs no more. */
    synchronized boolean advance(Piece piece, long position) {
        piece.position = Math.max(piece.position, position);
        return !stopped && piece.position < piece.end;
    }

    /** {@code piece}'s connection is done with it: what it did not write is free again. */
    synchronized void release(Piece piece) {
        inFlight.remove(piece);
        if (piece.position < piece.end && length >= 0) {
            free = free.with(new PieceMap.Range(piece.position, piece.end));
        }
        if (piece == lead) {
            lead = null;
        }
        // A connection waiting for a lead's length or for the header looks again.
        notifyAll();
    }

    /**
     * Waits until {@code headerHere} holds, for a connection whose piece starts after the header: true then; false
     * when no connection is bringing the header (the piece from byte 0 is not in flight) or every connection stops.
     */
    synchronized boolean awaitHeader(BooleanSupplier headerHere) throws InterruptedException {
        while (!headerHere.getAsBoolean()) {
            if (stopped || inFlight.stream().noneMatch(piece -> piece.start == 0)) {
                return false;
            }
            wait();
        }
        return true;
    }

    /** Every connection stops at its next buffer; {@link #take()} hands out nothing more. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /** One connection at a time from now on. */
    synchronized boolean single() {
        return single;
    }

    synchronized boolean stopped() {
        return stopped;
    }

    /** The body's length in part bytes, or -1. */
    synchronized long length() {
        return length;
    }

    /** Whether nothing is missing: every byte is here, none free, none in flight. */
    synchronized boolean done() {
        return length >= 0 && free.ranges().isEmpty() && inFlight.isEmpty();
    }

    private static long plus(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    private void addMissing(long from, long to) {
        for (PieceMap.Range gap : present.missing(to)) {
            if (gap.end() > from) {
                free = free.with(new PieceMap.Range(Math.max(gap.start(), from), gap.end()));
            }
        }
    }
}
