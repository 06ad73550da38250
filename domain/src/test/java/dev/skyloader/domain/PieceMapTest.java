package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.domain.PieceMap.Range;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PieceMapTest {
    @Test
    void withoutCutsARangeOutOfWhatItOverlapsAndKeepsTheRest() {
        PieceMap map = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30), new Range(40, 50)));
        assertEquals(PieceMap.of(List.of(new Range(0, 5), new Range(25, 30), new Range(40, 50))),
                map.without(new Range(5, 25)));
        assertEquals(PieceMap.of(List.of(new Range(0, 10), new Range(20, 22), new Range(27, 30),
                new Range(40, 50))), map.without(new Range(22, 27)), "a hole inside one range");
        assertEquals(map, map.without(new Range(10, 20)), "a gap: nothing to cut, touching ends stay");
        assertEquals(PieceMap.of(List.of(new Range(20, 30), new Range(40, 50))), map.without(new Range(0, 10)),
                "exactly one range");
        assertEquals(PieceMap.empty(), map.without(new Range(0, 50)));
        assertEquals(map, map.without(new Range(25, 25)), "an empty range cuts nothing");
        assertEquals(3, map.without(new Range(25, 25)).ranges().size());
        assertEquals(PieceMap.empty(), PieceMap.empty().without(new Range(0, 10)));
    }

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

    @Test
    void theIntersectionKeepsOnlyTheBytesPresentInBoth() {
        PieceMap a = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30), new Range(40, 50)));
        PieceMap b = PieceMap.of(List.of(new Range(5, 25), new Range(45, 60)));
        PieceMap expected = PieceMap.of(List.of(new Range(5, 10), new Range(20, 25), new Range(45, 50)));
        assertEquals(expected.ranges(), a.intersect(b).ranges());
        assertEquals(expected.ranges(), b.intersect(a).ranges(), "the order does not matter");
        assertEquals(List.of(new Range(5, 10)), PieceMap.prefixOf(10).intersect(PieceMap.of(List.of(new Range(5, 15))))
                .ranges(), "one overlap");
    }

    @Test
    void oneLongRangeIntersectsWithEveryRangeItSpans() {
        PieceMap gaps = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertEquals(gaps.ranges(), gaps.intersect(PieceMap.prefixOf(100)).ranges());
        assertEquals(gaps.ranges(), PieceMap.prefixOf(100).intersect(gaps).ranges());
        assertEquals(List.of(new Range(0, 10), new Range(20, 30)), gaps.intersect(gaps).ranges(), "with itself");
    }

    @Test
    void disjointOrTouchingRangesHaveNothingInCommon() {
        PieceMap a = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertEquals(List.of(), a.intersect(PieceMap.of(List.of(new Range(12, 18), new Range(35, 40)))).ranges(),
                "disjoint");
        assertEquals(List.of(), a.intersect(PieceMap.of(List.of(new Range(10, 20), new Range(30, 40)))).ranges(),
                "touching: not even an empty range is left");
        assertEquals(List.of(), PieceMap.of(List.of(new Range(10, 20), new Range(30, 40))).intersect(a).ranges());
    }

    @Test
    void theIntersectionWithAnEmptyMapIsEmpty() {
        PieceMap a = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertEquals(PieceMap.empty(), a.intersect(PieceMap.empty()));
        assertEquals(PieceMap.empty(), PieceMap.empty().intersect(a));
        assertEquals(PieceMap.empty(), PieceMap.empty().intersect(PieceMap.empty()));
        assertThrows(NullPointerException.class, () -> PieceMap.empty().intersect(null));
    }

    @Test
    void theUnionMergesWhatOverlapsOrTouchesAndKeepsTheRest() {
        PieceMap a = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30), new Range(40, 50)));
        PieceMap b = PieceMap.of(List.of(new Range(5, 25), new Range(45, 60)));
        assertEquals(List.of(new Range(0, 30), new Range(40, 60)), a.union(b).ranges(), "overlaps");
        assertEquals(List.of(new Range(0, 30), new Range(40, 60)), b.union(a).ranges());
        assertEquals(List.of(new Range(0, 20)),
                PieceMap.prefixOf(10).union(PieceMap.of(List.of(new Range(10, 20)))).ranges(), "touching");
        assertEquals(List.of(new Range(0, 10), new Range(11, 20)),
                PieceMap.prefixOf(10).union(PieceMap.of(List.of(new Range(11, 20)))).ranges(), "one byte apart");
        assertEquals(List.of(new Range(0, 10), new Range(20, 30), new Range(40, 50)), a.ranges(),
                "the maps themselves do not change");
        assertEquals(List.of(new Range(5, 25), new Range(45, 60)), b.ranges());
    }

    @Test
    void theUnionWithAnEmptyMapIsTheOtherMap() {
        PieceMap a = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertEquals(a, a.union(PieceMap.empty()));
        assertEquals(a, PieceMap.empty().union(a));
        assertEquals(PieceMap.empty(), PieceMap.empty().union(PieceMap.empty()));
        assertThrows(NullPointerException.class, () -> a.union(null));
    }

    @Test
    void aRangeContainsItselfAndWhatLiesWithinItsBoundaries() {
        PieceMap map = PieceMap.of(List.of(new Range(10, 20)));
        assertTrue(map.containsAll(PieceMap.of(List.of(new Range(10, 20)))), "start == start and end == end");
        assertTrue(map.containsAll(PieceMap.of(List.of(new Range(10, 11)))), "the first byte");
        assertTrue(map.containsAll(PieceMap.of(List.of(new Range(19, 20)))), "the last byte");
        assertTrue(map.containsAll(PieceMap.of(List.of(new Range(11, 19)))), "one byte short on each side");
        assertFalse(map.containsAll(PieceMap.of(List.of(new Range(9, 20)))), "one byte before the start");
        assertFalse(map.containsAll(PieceMap.of(List.of(new Range(10, 21)))), "one byte past the end");
        assertFalse(map.containsAll(PieceMap.of(List.of(new Range(9, 21)))), "one byte more on each side");
        assertFalse(map.containsAll(PieceMap.of(List.of(new Range(0, 10)))), "touching below");
        assertFalse(map.containsAll(PieceMap.of(List.of(new Range(20, 30)))), "touching above");
    }

    @Test
    void containmentOfMapsOfSeveralRanges() {
        PieceMap gaps = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertTrue(gaps.containsAll(gaps));
        assertTrue(gaps.containsAll(PieceMap.of(List.of(new Range(5, 10), new Range(20, 25)))));
        assertTrue(gaps.containsAll(PieceMap.of(List.of(new Range(9, 10), new Range(20, 21)))),
                "the bytes next to the gap");
        assertTrue(gaps.containsAll(PieceMap.of(List.of(new Range(25, 30)))), "only in the second range");
        assertFalse(gaps.containsAll(PieceMap.of(List.of(new Range(5, 25)))), "across the gap");
        assertFalse(gaps.containsAll(PieceMap.of(List.of(new Range(10, 20)))), "exactly the gap");
        assertFalse(gaps.containsAll(PieceMap.of(List.of(new Range(0, 10), new Range(30, 31)))),
                "the first inside, the second just past the end");
        assertFalse(gaps.containsAll(PieceMap.of(List.of(new Range(35, 40)))), "beyond every range");
        assertFalse(gaps.containsAll(PieceMap.of(List.of(new Range(0, 10), new Range(19, 30)))),
                "the second one byte early");
        assertFalse(gaps.containsAll(PieceMap.prefixOf(30)), "the gap is not there");
        assertTrue(PieceMap.prefixOf(100).containsAll(
                PieceMap.of(List.of(new Range(10, 20), new Range(30, 40), new Range(90, 100)))),
                "several ranges within one");
    }

    @Test
    void everyMapContainsTheEmptyOneAndTheEmptyOneContainsNothingElse() {
        PieceMap gaps = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertTrue(gaps.containsAll(PieceMap.empty()));
        assertTrue(PieceMap.empty().containsAll(PieceMap.empty()));
        assertFalse(PieceMap.empty().containsAll(gaps));
        assertFalse(PieceMap.empty().containsAll(PieceMap.of(List.of(new Range(5, 6)))));
    }

    @Test
    void mapsOfOtherRangesAreNotEqual() {
        PieceMap gaps = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));
        assertNotEquals(gaps, PieceMap.of(List.of(new Range(0, 10), new Range(20, 31))));
        assertNotEquals(gaps, PieceMap.prefixOf(30));
        assertNotEquals(PieceMap.empty(), gaps);
        assertNotEquals(gaps, gaps.ranges(), "a map is no list of ranges");
    }
}
