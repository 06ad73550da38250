package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.RecordingHosts;
import dev.skyloader.domain.SourceUrl;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceRotationTest {
    private static final SourceUrl A = new SourceUrl("https://a.example/model.bin");
    private static final SourceUrl B = new SourceUrl("https://b.example/model.bin");
    private static final SourceUrl C = new SourceUrl("https://c.example/model.bin");

    private final RecordingHosts hosts = new RecordingHosts();

    @Test
    void goesRoundTheSourcesInOrder() {
        SourceRotation rotation = new SourceRotation(List.of(A, B, C), hosts);
        assertEquals(3, rotation.size());
        assertEquals(A, rotation.current());
        rotation.next();
        assertEquals(B, rotation.current());
        rotation.next();
        assertEquals(C, rotation.current());
        rotation.next();
        assertEquals(A, rotation.current());
    }

    @Test
    void startsWithTheFirstSourceWhoseHostIsNotBeingSkipped() {
        hosts.skip(A.origin());
        assertEquals(B, new SourceRotation(List.of(A, B, C), hosts).current());
    }

    @Test
    void staysOnTheOnlyHealthySourceRatherThanFallBackToASkippedOne() {
        hosts.skip(B.origin()).skip(C.origin());
        SourceRotation rotation = new SourceRotation(List.of(A, B, C), hosts);
        rotation.next();
        assertEquals(A, rotation.current());
    }

    @Test
    void whenEveryHostIsSkippedTakesTheNextOneAnyway() {
        hosts.skip(A.origin()).skip(B.origin()).skip(C.origin());
        SourceRotation rotation = new SourceRotation(List.of(A, B, C), hosts);
        assertEquals(B, rotation.current(), "the first skipped one after A");
        rotation.next();
        assertEquals(C, rotation.current());
        rotation.next();
        assertEquals(A, rotation.current(), "round again to the first source");
    }

    @Test
    void aSourceGivenUpOnIsNeverTakenAgainAndItsReasonIsKept() {
        SourceRotation rotation = new SourceRotation(List.of(A, B, C), hosts);
        rotation.next();
        rotation.giveUpOnCurrent("404 at b");
        rotation.next();
        assertEquals(C, rotation.current());
        rotation.next();
        assertEquals(A, rotation.current(), "B is skipped for good");
        rotation.giveUpOnCurrent("410 at a");
        assertEquals(List.of("404 at b", "410 at a"), rotation.deadReasons());
    }

    @Test
    void aSkippedHostIsStillTakenWhenEveryOtherSourceWasGivenUpOn() {
        SourceRotation rotation = new SourceRotation(List.of(A, B), hosts);
        rotation.next();
        rotation.giveUpOnCurrent("404 at b");
        hosts.skip(A.origin());
        rotation.next();
        assertEquals(A, rotation.current());
    }

    @Test
    void aSingleSourceStaysPut() {
        SourceRotation rotation = new SourceRotation(List.of(A), hosts);
        rotation.next();
        assertEquals(A, rotation.current());
    }

    @Test
    void noSourceAtAllIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SourceRotation(List.of(), hosts));
    }
}
