package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.SourceException.Kind;
import dev.skyloader.application.service.FailurePolicy.Decision;
import dev.skyloader.application.service.FailurePolicy.Fail;
import dev.skyloader.application.service.FailurePolicy.Pause;
import dev.skyloader.application.service.FailurePolicy.Restart;
import dev.skyloader.application.service.FailurePolicy.Retry;
import dev.skyloader.application.service.FailurePolicy.Situation;
import dev.skyloader.application.service.FailurePolicy.SwitchSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {
    private static Situation situation(Kind kind, boolean progressed, int sources, List<String> dead,
                                       int failuresThisRound, int changedInARow, long bytes, boolean validator) {
        return new Situation(kind, "boom", progressed, sources, dead, failuresThisRound, changedInARow, bytes,
                validator);
    }

    private static Decision decide(Kind kind, boolean progressed, int sources, List<String> dead,
                                   int failuresThisRound) {
        return FailurePolicy.decide(situation(kind, progressed, sources, dead, failuresThisRound, 0, 0, false));
    }

    @Test
    void aPermanentErrorWithAnotherSourceLeftGivesUpOnThisSourceOnly() {
        assertEquals(new SwitchSource("boom; giving up on this source", true),
                decide(Kind.PERMANENT, false, 2, List.of(), 0));
        assertEquals(new SwitchSource("boom; giving up on this source", true),
                decide(Kind.DENIED, true, 3, List.of("a"), 0));
    }

    @Test
    void aPermanentErrorOnTheLastSourceFailsNamingEveryReason() {
        assertEquals(new Fail("boom"), decide(Kind.PERMANENT, false, 1, List.of(), 0));
        assertEquals(new Fail("every source failed: 404; 410; boom"),
                decide(Kind.PERMANENT, false, 3, List.of("404", "410"), 0));
    }

    @Test
    void aTransientErrorThatMovedNothingTriesTheNextLiveSourceUntilTheRoundIsDone() {
        assertEquals(new SwitchSource("boom", false), decide(Kind.TRANSIENT, false, 3, List.of(), 0));
        assertEquals(new SwitchSource("boom", false), decide(Kind.TRANSIENT, false, 3, List.of(), 1));
        assertEquals(new Retry(), decide(Kind.TRANSIENT, false, 3, List.of(), 2), "every source failed: wait");
        assertEquals(new Retry(), decide(Kind.TRANSIENT, false, 3, List.of("dead"), 1), "the dead do not count");
        assertEquals(new Retry(), decide(Kind.TRANSIENT, false, 1, List.of(), 0));
    }

    @Test
    void aTransientErrorAfterProgressRetriesTheSameSource() {
        assertEquals(new Retry(), decide(Kind.TRANSIENT, true, 3, List.of(), 0));
    }

    @Test
    void accessDeniedOnTheFirstRequestFailsButAfterBytesItPausesKeepingThem() {
        assertEquals(new Fail("boom"), FailurePolicy.decide(situation(Kind.DENIED, false, 1, List.of(), 0, 0, 0,
                false)));
        Decision later = FailurePolicy.decide(situation(Kind.DENIED, false, 1, List.of(), 0, 0, 4096, true));
        assertInstanceOf(Pause.class, later);
        assertTrue(((Pause) later).message().contains("4096 bytes kept"), later.toString());
        assertInstanceOf(Pause.class, FailurePolicy.decide(situation(Kind.DENIED, false, 1, List.of(), 0, 0, 0,
                true)), "a validator means the URL worked before: it expired");
    }

    @Test
    void anObjectThatChangedRestartsAtOnceTwiceThenWaitsFirst() {
        assertEquals(new Restart("boom: starting again from byte 0", false),
                FailurePolicy.decide(situation(Kind.CHANGED, false, 1, List.of(), 0, 0, 10, true)));
        assertEquals(new Restart("boom: starting again from byte 0", false),
                FailurePolicy.decide(situation(Kind.CHANGED, false, 1, List.of(), 0, 1, 10, true)));
        assertEquals(new Restart("boom: starting again from byte 0", true),
                FailurePolicy.decide(situation(Kind.CHANGED, false, 1, List.of(), 0, 2, 10, true)));
    }
}
