package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.service.PieceScheduler.Piece;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.PieceMap.Range;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PieceSchedulerTest {
    private static PieceScheduler scheduler(long length, long pieceSize, long minSplit) {
        return new PieceScheduler(PieceMap.empty(), length, pieceSize, minSplit);
    }

    private static PieceMap present(long... bounds) {
        Range[] ranges = new Range[bounds.length / 2];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = new Range(bounds[2 * i], bounds[2 * i + 1]);
        }
        return PieceMap.of(List.of(ranges));
    }

    /** {@code piece} is {@code [start, end)} and its connection is at {@code start}. */
    private static void assertPiece(long start, long end, PieceScheduler scheduler, Piece piece) {
        assertNotNull(piece, "expected the piece [" + start + ", " + end + "), got none");
        assertEquals(List.of(start, start, end), List.of(piece.start(), scheduler.position(piece),
                scheduler.end(piece)), "start, position, end");
    }

    /** Writes all of {@code piece} and gives it back. */
    private static void finish(PieceScheduler scheduler, Piece piece) {
        assertFalse(scheduler.advance(piece, scheduler.end(piece)));
        scheduler.release(piece);
    }

    // ---- construction ----

    @Test
    void pieceAndSplitSizesMustBePositiveMultiplesOfSixteen() {
        PieceMap none = PieceMap.empty();
        for (long[] sizes : new long[][] {{0, 16}, {24, 16}, {8, 16}, {16, 0}, {16, 24}, {16, 8}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PieceScheduler(none, 100, sizes[0], sizes[1]), () -> sizes[0] + "/" + sizes[1]);
            assertEquals("piece size and split size must be positive multiples of 16", e.getMessage());
        }
        assertDoesNotThrow(() -> new PieceScheduler(none, 100, 16, 16));
    }

    // ---- handing out pieces ----

    @Test
    void handsOutPiecesOfTheGivenSizeLowestFirst() throws Exception {
        PieceScheduler s = scheduler(256, 64, 16);
        assertPiece(0, 64, s, s.take());
        assertPiece(64, 128, s, s.take());
        assertPiece(128, 192, s, s.take());
        assertPiece(192, 256, s, s.take());
        assertEquals(256, s.length());
    }

    @Test
    void theLastGapIsTakenWholeWhenWhatWouldBeLeftIsUnderTheSplitSize() throws Exception {
        PieceScheduler whole = scheduler(79, 64, 16);
        assertPiece(0, 79, whole, whole.take());

        PieceScheduler two = scheduler(80, 64, 16);
        assertPiece(0, 64, two, two.take());
        assertPiece(64, 80, two, two.take());
    }

    @Test
    void bytesAlreadyPresentAreNeverHandedOut() throws Exception {
        PieceScheduler s = new PieceScheduler(present(0, 64, 128, 160), 256, 64, 16);
        assertPiece(64, 128, s, s.take());
        assertPiece(160, 224, s, s.take());
        assertPiece(224, 256, s, s.take());
    }

    @Test
    void aPartThatHoldsEverythingIsDoneAndHandsOutNothing() throws Exception {
        PieceScheduler s = new PieceScheduler(PieceMap.prefixOf(256), 256, 64, 16);
        assertTrue(s.done());
        assertNull(s.take());
    }

    @Test
    void anEmptyBodyIsDoneAtOnceAndItsLengthStays() throws Exception {
        PieceScheduler s = scheduler(0, 64, 16);
        assertTrue(s.done());
        assertNull(s.take(), "no lead: the length is known");
        s.learnLength(100, false);
        assertEquals(0, s.length());
    }

    // ---- splitting ----

    @Test
    void withNothingFreeThePieceWithTheMostBytesLeftIsSplitAtItsMidpoint() throws Exception {
        PieceScheduler s = scheduler(256, 128, 16);
        Piece first = s.take();
        Piece second = s.take();
        assertTrue(s.advance(first, 100));

        Piece half = s.take();

        assertPiece(192, 256, s, half);
        assertEquals(192, s.end(second), "the split piece now ends where the new one starts");
        assertEquals(128, s.end(first), "the piece with fewer bytes left is not split");
    }

    @Test
    void betweenPiecesWithAsManyBytesLeftTheFirstHandedOutIsSplit() throws Exception {
        PieceScheduler s = scheduler(256, 128, 16);
        Piece first = s.take();
        Piece second = s.take();

        assertPiece(64, 128, s, s.take());
        assertEquals(64, s.end(first));
        assertEquals(256, s.end(second));
    }

    @Test
    void theSplitIsAtTheMidpointOfWhatIsLeftFromTheConnectionsPosition() throws Exception {
        PieceScheduler s = scheduler(256, 256, 16);
        Piece piece = s.take();
        assertTrue(s.advance(piece, 64));

        assertPiece(160, 256, s, s.take());
        assertEquals(160, s.end(piece));
    }

    @Test
    void theSplitPointIsRoundedDownToABlockOfSixteen() throws Exception {
        PieceScheduler s = scheduler(160, 160, 16);
        Piece piece = s.take();
        assertTrue(s.advance(piece, 8));

        // 8 + 152 / 2 = 84, down to 80
        assertPiece(80, 160, s, s.take());
        assertEquals(80, s.end(piece));
    }

    @Test
    void aPieceIsSplitOnlyWhenEachHalfGetsTheSplitSize() throws Exception {
        PieceScheduler s = scheduler(64, 64, 32);
        Piece piece = s.take();
        assertPiece(32, 64, s, s.take());
        assertEquals(32, s.end(piece));
        assertNull(s.take(), "32 bytes left in each: no more halves of 32");

        PieceScheduler short1 = scheduler(63, 64, 32);
        assertPiece(0, 63, short1, short1.take());
        assertNull(short1.take(), "63 bytes cannot make two halves of 32");
    }

    @Test
    void whatIsLeftOfAPieceCountsFromItsPositionForTheSplitSize() throws Exception {
        PieceScheduler s = scheduler(128, 128, 32);
        Piece piece = s.take();
        assertTrue(s.advance(piece, 65));
        assertNull(s.take(), "63 bytes left");

        PieceScheduler t = scheduler(128, 128, 32);
        Piece other = t.take();
        assertTrue(t.advance(other, 64));
        assertPiece(96, 128, t, t.take());
    }

    // ---- advancing and giving back ----

    @Test
    void advanceSaysWhetherThePieceWantsMoreAndNeverMovesBack() throws Exception {
        PieceScheduler s = scheduler(128, 128, 16);
        Piece piece = s.take();
        assertTrue(s.advance(piece, 40));
        assertTrue(s.advance(piece, 20));
        assertEquals(40, s.position(piece), "a late report of an earlier position does not move it back");
        assertTrue(s.advance(piece, 127));
        assertFalse(s.advance(piece, 128));
        assertEquals(128, s.position(piece));
    }

    @Test
    void advanceStopsAtTheEndASplitMovedDown() throws Exception {
        PieceScheduler s = scheduler(128, 128, 16);
        Piece piece = s.take();
        Piece half = s.take();
        assertEquals(64, half.start());
        assertTrue(s.advance(piece, 63));
        assertFalse(s.advance(piece, 64));
        assertFalse(s.advance(piece, 70), "bytes read past the split are not wanted");
    }

    @Test
    void afterStopNothingIsWantedAndNothingHandedOut() throws Exception {
        PieceScheduler s = scheduler(256, 64, 16);
        Piece piece = s.take();
        assertTrue(s.advance(piece, 10));
        assertFalse(s.stopped());

        s.stop();

        assertTrue(s.stopped());
        assertFalse(s.advance(piece, 11));
        assertEquals(11, s.position(piece), "the bytes written still count");
        assertNull(s.take());
    }

    @Test
    void aReleasedPieceGivesBackWhatItDidNotWriteFromItsPosition() throws Exception {
        PieceScheduler s = scheduler(256, 64, 16);
        s.take();
        Piece second = s.take();
        s.take();
        s.take();
        assertTrue(s.advance(second, 80));

        s.release(second);

        assertPiece(80, 128, s, s.take());
    }

    @Test
    void givenBackRangesThatTouchAreMergedAndHandedOutAsPieces() throws Exception {
        PieceScheduler s = scheduler(256, 64, 16);
        s.take();
        Piece second = s.take();
        Piece third = s.take();
        s.take();
        assertTrue(s.advance(second, 80));
        s.release(second);
        s.release(third);

        assertPiece(80, 144, s, s.take());
        assertPiece(144, 192, s, s.take());
    }

    @Test
    void givenBackRangesApartStayApart() throws Exception {
        PieceScheduler s = scheduler(256, 64, 16);
        s.take();
        Piece second = s.take();
        s.take();
        Piece fourth = s.take();
        assertTrue(s.advance(second, 80));
        assertTrue(s.advance(fourth, 200));
        s.release(fourth);
        s.release(second);

        assertPiece(80, 128, s, s.take());
        assertPiece(200, 256, s, s.take());
    }

    @Test
    void aPieceWrittenToItsEndGivesNothingBackAndTheSchedulerIsDone() throws Exception {
        PieceScheduler s = scheduler(128, 64, 16);
        assertFalse(s.done(), "nothing handed out yet");
        Piece first = s.take();
        Piece second = s.take();
        finish(s, first);
        assertFalse(s.done(), "one piece still in flight");

        finish(s, second);

        assertTrue(s.done());
        assertNull(s.take());
    }

    @Test
    void bytesWrittenPastASplitAreNotGivenBack() throws Exception {
        PieceScheduler s = scheduler(128, 128, 16);
        Piece piece = s.take();
        Piece half = s.take();
        assertFalse(s.advance(piece, 100), "the connection read on past the split");
        s.release(piece);
        finish(s, half);

        assertTrue(s.done());
    }

    @Test
    void aPieceFailedWithoutABytePutsItAllBack() throws Exception {
        PieceScheduler s = scheduler(128, 64, 16);
        Piece first = s.take();
        Piece second = s.take();
        s.release(first);
        assertFalse(s.done());

        assertPiece(0, 64, s, s.take());
        finish(s, second);
        assertFalse(s.done());
    }

    // ---- the lead piece, while the length is not known ----

    @Test
    void withTheLengthUnknownTheFirstTakeIsTheLeadPiece() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        assertPiece(0, 64, s, s.take());
        assertEquals(-1, s.length());
        assertFalse(s.done());
    }

    @Test
    void theLeadStartsAtTheFirstMissingByteAndStaysInsideItsGap() throws Exception {
        PieceScheduler after = new PieceScheduler(present(0, 32), -1, 64, 16);
        assertPiece(32, 96, after, after.take());

        PieceScheduler inGap = new PieceScheduler(present(0, 32, 48, 200), -1, 64, 16);
        assertPiece(32, 48, inGap, inGap.take());
    }

    @Test
    void aLeadOfHugePiecesRunsToTheEndWithoutOverflow() throws Exception {
        PieceScheduler s = new PieceScheduler(PieceMap.prefixOf(32), -1, Long.MAX_VALUE - 15, 16);
        assertPiece(32, Long.MAX_VALUE, s, s.take());
    }

    @Test
    void theLengthHandsOutTheRestWithoutTheLeadsRange() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();

        s.learnLength(256, false);

        assertEquals(256, s.length());
        assertPiece(64, 128, s, s.take());
        assertPiece(128, 192, s, s.take());
        assertPiece(192, 256, s, s.take());
        assertEquals(64, s.end(lead));
        assertEquals(0, s.position(lead));
    }

    @Test
    void theLengthIsLearnedOnce() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        s.take();
        s.learnLength(256, false);
        s.learnLength(512, false);
        assertEquals(256, s.length());

        PieceScheduler single = scheduler(-1, 64, 16);
        single.take();
        single.learnLength(-1, false);
        single.learnLength(256, false);
        assertEquals(-1, single.length(), "a lead reading to the end stays alone");
        assertNull(single.take());
    }

    @Test
    void aRangeIgnoredMakesTheLeadTheWholeBodyFromZeroAndNothingElseIsHandedOut() throws Exception {
        PieceScheduler s = new PieceScheduler(present(0, 32), -1, 64, 16);
        Piece lead = s.take();
        assertEquals(32, lead.start());

        s.learnLength(256, true);

        assertEquals(0, s.position(lead));
        assertEquals(256, s.end(lead));
        assertEquals(256, s.length());
        assertNull(s.take());
        assertTrue(s.advance(lead, 255));
        assertFalse(s.advance(lead, 256));
    }

    @Test
    void aRangeIgnoredWithoutALengthMakesTheLeadReadToTheEnd() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();
        s.learnLength(-1, true);
        assertEquals(Long.MAX_VALUE, s.end(lead));
        assertNull(s.take());
    }

    @Test
    void anArtifactUnderTwoPiecesLeftInOneGapGoesOverOneConnectionAtATime() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();

        s.learnLength(127, false);

        assertEquals(64, s.end(lead), "the lead keeps the range it asked for");
        assertEquals(0, s.position(lead));
        assertNull(s.take(), "no other connection, and no split either");
        assertFalse(s.advance(lead, 64));
        s.release(lead);
        assertPiece(64, 127, s, s.take());
        assertFalse(s.done());
    }

    @Test
    void twoPiecesLeftAreShared() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();
        s.learnLength(128, false);
        assertEquals(64, s.end(lead));
        assertPiece(64, 128, s, s.take());
    }

    @Test
    void whatCountsForTwoPiecesIsWhatIsMissing() throws Exception {
        PieceScheduler alone = new PieceScheduler(PieceMap.prefixOf(64), -1, 64, 16);
        Piece lead = alone.take();
        assertEquals(64, lead.start());
        alone.learnLength(190, false);
        assertEquals(128, alone.end(lead), "the lead keeps the range it asked for");
        assertNull(alone.take(), "126 bytes missing, under two pieces: no second connection");
        alone.advance(lead, 128);
        alone.release(lead);
        assertPiece(128, 190, alone, alone.take());

        PieceScheduler shared = new PieceScheduler(PieceMap.prefixOf(64), -1, 64, 16);
        Piece other = shared.take();
        shared.learnLength(192, false);
        assertEquals(128, shared.end(other));
        assertPiece(128, 192, shared, shared.take());
    }

    @Test
    void aSmallArtifactWithTwoGapsStillHandsOutTheSecond() throws Exception {
        PieceScheduler s = new PieceScheduler(present(64, 80), -1, 64, 16);
        Piece lead = s.take();
        assertPiece(0, 64, s, lead);

        s.learnLength(100, false);

        assertEquals(64, s.end(lead));
        assertPiece(80, 100, s, s.take());
    }

    @Test
    void theRestAfterTheLeadKeepsTheGapsBeyondIt() throws Exception {
        PieceScheduler s = new PieceScheduler(present(64, 80), -1, 64, 16);
        s.take();
        s.learnLength(200, false);
        assertPiece(80, 144, s, s.take());
        assertPiece(144, 200, s, s.take());
    }

    @Test
    void anEmptyBodyEndsTheLeadAtOnce() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();

        s.learnLength(0, false);

        assertEquals(0, s.end(lead));
        assertEquals(0, s.length());
        assertNull(s.take(), "nothing to wait for");
        assertFalse(s.advance(lead, 0));
        s.release(lead);
        assertTrue(s.done());
    }

    @Test
    void anEmptyBodyFromZeroEndsTheLeadAtOnce() throws Exception {
        PieceScheduler s = new PieceScheduler(PieceMap.prefixOf(32), -1, 64, 16);
        Piece lead = s.take();
        s.learnLength(0, true);
        assertEquals(0, s.position(lead));
        assertEquals(0, s.end(lead));
    }

    @Test
    void noLengthInTheFirstAnswerMakesTheLeadReadToTheEnd() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();

        s.learnLength(-1, false);

        assertEquals(Long.MAX_VALUE, s.end(lead));
        assertEquals(-1, s.length());
        assertNull(s.take());
        assertTrue(s.advance(lead, 1L << 40));
    }

    @Test
    void aLeadThatReadToTheEndIsNotHandedOutAgain() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();
        s.learnLength(-1, false);
        assertTrue(s.advance(lead, 1000));
        s.release(lead);

        assertNull(s.take());
    }

    @Test
    void aLeadGivenBackBeforeTheLengthIsHandedOutAgainWhole() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();
        s.release(lead);
        assertFalse(s.done());

        assertPiece(0, 64, s, s.take());
    }

    @Test
    void afterStopTheLeadIsNotHandedOutAndATakeDoesNotWait() throws Exception {
        PieceScheduler stopped = scheduler(-1, 64, 16);
        stopped.stop();
        assertNull(stopped.take());

        PieceScheduler s = scheduler(-1, 64, 16);
        s.take();
        s.stop();
        assertNull(s.take(), "no wait for a length that will not come");
    }

    // ---- a second connection waiting for the length ----

    /** A connection's thread calling {@link PieceScheduler#take()}. */
    private static final class Taker {
        private final AtomicReference<Piece> piece = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean returned = new AtomicBoolean();
        private final Thread thread;

        Taker(PieceScheduler scheduler) {
            CountDownLatch started = new CountDownLatch(1);
            thread = Thread.ofPlatform().daemon().name("taker").start(() -> {
                started.countDown();
                try {
                    piece.set(scheduler.take());
                } catch (Throwable e) {
                    failure.set(e);
                }
                returned.set(true);
            });
            try {
                started.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /** Returns once the thread waits inside take(), or has ended. */
        Taker waiting() {
            while (thread.getState() != Thread.State.WAITING && thread.isAlive()) {
                Thread.onSpinWait();
            }
            assertFalse(returned.get(), "take() returned without waiting for the length");
            return this;
        }

        Piece result() throws InterruptedException {
            // A safety net only: every test ends the wait before it joins.
            thread.join(10_000);
            assertFalse(thread.isAlive(), "take() still waits");
            assertNull(failure.get());
            assertTrue(returned.get());
            return piece.get();
        }
    }

    @Test
    void aSecondTakeWaitsForTheLengthThenGetsThePieceAfterTheLead() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        s.take();
        Taker second = new Taker(s).waiting();

        s.learnLength(256, false);

        assertPiece(64, 128, s, second.result());
    }

    @Test
    void aSecondTakeGetsNothingWhenTheLeadEndsBeforeTheLengthIsKnown() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        Piece lead = s.take();
        Taker second = new Taker(s).waiting();

        s.release(lead);

        assertNull(second.result());
    }

    @Test
    void aSecondTakeGetsNothingOnStop() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        s.take();
        Taker second = new Taker(s).waiting();

        s.stop();

        assertNull(second.result());
    }

    @Test
    void aSecondTakeGetsNothingWhenTheLeadReadsToTheEnd() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        s.take();
        Taker second = new Taker(s).waiting();

        s.learnLength(-1, false);

        assertNull(second.result());
    }

    @Test
    void aSecondTakeGetsNothingWhenTheRangeWasIgnored() throws Exception {
        PieceScheduler s = scheduler(-1, 64, 16);
        s.take();
        Taker second = new Taker(s).waiting();

        s.learnLength(1000, true);

        assertNull(second.result());
    }

    // ---- waiting for the header ----

    @Test
    void aPieceWaitsForTheHeaderOnlyWhileThePieceFromByteZeroIsInFlight() throws Exception {
        PieceScheduler s = scheduler(256, 64, 16);
        assertFalse(s.awaitHeader(() -> false), "nobody brings the header yet");
        assertTrue(s.awaitHeader(() -> true), "here already");
        Piece first = s.take();
        Piece second = s.take();
        AtomicBoolean here = new AtomicBoolean();
        AtomicReference<Boolean> answer = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().daemon().start(() -> {
            try {
                answer.set(s.awaitHeader(here::get));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitWaiting(waiter);
        here.set(true);
        // The connection that brought it says so as it learns the length (known already: nothing else changes).
        s.learnLength(256, false);
        waiter.join(10_000);
        assertEquals(Boolean.TRUE, answer.get());
        assertPiece(128, 192, s, s.take());
        finish(s, first);
        finish(s, second);
    }

    @Test
    void aPieceGivesUpWaitingForTheHeaderWhenItsPieceGoesBackOrEveryConnectionStops() throws Exception {
        for (boolean stop : new boolean[] {false, true}) {
            PieceScheduler s = scheduler(256, 64, 16);
            Piece first = s.take();
            Piece second = s.take();
            AtomicReference<Boolean> answer = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().daemon().start(() -> {
                try {
                    answer.set(s.awaitHeader(() -> false));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            awaitWaiting(waiter);
            if (stop) {
                s.stop();
            } else {
                // The first connection failed before the header: its piece is free again, for a waiting one to take.
                s.release(first);
            }
            waiter.join(10_000);
            assertEquals(Boolean.FALSE, answer.get(), stop ? "stopped" : "released");
            s.release(second);
            if (!stop) {
                assertPiece(0, 64, s, s.take());
            }
        }
    }

    /** Returns once {@code thread} waits on a monitor (inside the scheduler), so that a wake-up must reach it. */
    private static void awaitWaiting(Thread thread) {
        while (thread.getState() != Thread.State.WAITING) {
            assertTrue(thread.isAlive(), "the thread ended instead of waiting");
            Thread.onSpinWait();
        }
    }
}
