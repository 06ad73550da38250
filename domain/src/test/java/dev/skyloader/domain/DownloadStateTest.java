package dev.skyloader.domain;

import static dev.skyloader.domain.DownloadState.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DownloadStateTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    // The product specification's transitions, written out independently of the switch in DownloadState.
    private static final Map<DownloadState, Set<DownloadState>> LEGAL = Map.of(
            PENDING, EnumSet.of(DOWNLOADING, FAILED),
            DOWNLOADING, EnumSet.of(PAUSED, VERIFYING, FAILED),
            PAUSED, EnumSet.of(DOWNLOADING, FAILED),
            VERIFYING, EnumSet.of(DECRYPTING, DOWNLOADING, PAUSED, FAILED),
            DECRYPTING, EnumSet.of(COMPLETE, PAUSED, FAILED),
            COMPLETE, EnumSet.noneOf(DownloadState.class),
            FAILED, EnumSet.of(PENDING));

    @Test
    void allowsExactlyTheTransitionsOfTheTable() {
        for (DownloadState from : values()) {
            for (DownloadState to : values()) {
                assertEquals(LEGAL.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void illegalTransitionThrowsAndLeavesTheStateAlone() {
        Download download = newDownload();
        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                () -> download.moveTo(COMPLETE, NOW));
        assertEquals(PENDING, e.from());
        assertEquals(COMPLETE, e.to());
        assertEquals(PENDING, download.state());
    }

    @Test
    void onlyTheStatesARunningProcessPassesThroughAreInFlight() {
        for (DownloadState state : values()) {
            assertEquals(EnumSet.of(DOWNLOADING, VERIFYING, DECRYPTING).contains(state), state.isInFlight(),
                    state.wireName());
        }
    }

    @Test
    void aDownloadAtRestIsNotTakenForAnInterruptedOne() {
        Download download = newDownload();
        download.recoverFromInterruption(NOW);
        assertEquals(PENDING, download.state());
        assertEquals(Optional.empty(), download.lastError());
    }

    @Test
    void completeIsFinal() {
        for (DownloadState to : values()) {
            assertFalse(COMPLETE.canMoveTo(to), "complete -> " + to);
        }
    }

    @Test
    void wireNamesRoundTrip() {
        for (DownloadState state : values()) {
            assertEquals(state, fromWireName(state.wireName()));
        }
        assertEquals("verifying", VERIFYING.wireName());
        assertThrows(IllegalArgumentException.class, () -> fromWireName("done"));
    }

    static Download newDownload() {
        return Download.create(new DownloadId("d1"), new SourceUrl("https://cdn.example/a.bin"),
                new Sha256("a".repeat(64)), OptionalLong.of(100), CipherName.NONE, "/out/a.bin", "/state/d1.part", NOW);
    }
}
