package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.domain.PieceMap.Range;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PieceMapTest {
    @Test
    void piecesArrivingInAnyOrderMergeIntoTheFewestRanges() {
        PieceMap map = PieceMap.empty().with(new Range(20, 30)).with(new Range(0, 10)).with(new Range(40, 50));
        assertEquals(List.of(new Range(0, 10), new Range(20, 30), new Range(40, 50)), map.ranges());
        PieceMap joined = map.with(new Range(10, 20));
        assertEquals(List.of(new Range(0, 30), new Range(40, 50)), joined.ranges(), "touching ranges join");
        assertEquals(List.of(new Range(0, 50)), joined.with(new Range(25, 45)).ranges(), "overlaps join");
        assertEquals(List.of(new Range(0, 30), new Range(40, 50)), joined.with(new Range(5, 5)).ranges(),
                "an empty range changes nothing");
    }

    @Test
    void theVerifierFollowsOnlyTheContiguousPrefix() {
        assertEquals(0, PieceMap.empty().prefix());
        assertEquals(0, PieceMap.of(List.of(new Range(1, 10))).prefix(), "byte 0 missing");
        assertEquals(10, PieceMap.of(List.of(new Range(0, 10), new Range(11, 20))).prefix());
        assertEquals(19, PieceMap.of(List.of(new Range(0, 10), new Range(11, 20))).present());
    }

    @Test
    void aResumeAsksForEveryGapAndNothingElse() {
        PieceMap map = PieceMap.of(List.of(new Range(10, 20), new Range(30, 40)));
        assertEquals(List.of(new Range(0, 10), new Range(20, 30), new Range(40, 50)), map.missing(50));
        assertEquals(List.of(new Range(0, 10), new Range(20, 30)), map.missing(35), "the total cuts the last range");
        assertEquals(Optional.of(new Range(0, 10)), map.firstMissing(50));
        assertEquals(List.of(), PieceMap.prefixOf(50).missing(50));
        assertEquals(Optional.empty(), PieceMap.prefixOf(50).firstMissing(50));
        assertTrue(PieceMap.prefixOf(50).covers(50));
        assertFalse(map.covers(50));
    }

    @Test
    void cuttingKeepsOnlyWhatLiesBelowTheCut() {
        PieceMap map = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertEquals(List.of(new Range(0, 10), new Range(20, 25)), map.truncatedTo(25).ranges());
        assertEquals(List.of(new Range(0, 10)), map.truncatedTo(20).ranges());
        assertEquals(PieceMap.empty(), map.truncatedTo(0));
    }

    @Test
    void storedRangesMayComeInAnyOrderAndOverlap() {
        PieceMap map = PieceMap.of(List.of(new Range(30, 40), new Range(0, 10), new Range(5, 12)));
        assertEquals(PieceMap.of(List.of(new Range(0, 12), new Range(30, 40))), map);
        assertEquals(map.hashCode(), PieceMap.of(List.of(new Range(0, 12), new Range(30, 40))).hashCode());
        assertEquals("PieceMap[[0, 12)[30, 40)]", map.toString());
        assertEquals(PieceMap.empty(), PieceMap.prefixOf(0));
    }

    @Test
    void aRangeCannotEndBeforeItStartsNorStartBelowZero() {
        assertThrows(IllegalArgumentException.class, () -> new Range(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new Range(-1, 4));
        assertEquals(0, new Range(4, 4).length());
    }
}
