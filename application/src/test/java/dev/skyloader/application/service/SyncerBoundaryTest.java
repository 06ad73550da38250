package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncerBoundaryTest {
    private final FakeClock clock = new FakeClock();
    private final List<Long> durable = new ArrayList<>();
    private final Syncer syncer = new Syncer(new InMemoryFileStore().openPart("/data/p"), new CountingMarks(durable), clock, 100, Duration.ofSeconds(5));

    @Test
    void exactlyOneBatchOfBytesStartsASync() throws Exception {
        syncer.wrote(99);
        syncer.drain();
        assertEquals(List.of(), durable);
        syncer.wrote(100);
        syncer.drain();
        synchronized (durable) {
            assertEquals(List.of(100L), durable);
        }
    }

    @Test
    void bytesAlreadySyncedAreNotSyncedAgainWhenTheIntervalPasses() throws Exception {
        syncer.wrote(100);
        syncer.drain();
        clock.advance(Duration.ofSeconds(6));
        syncer.wrote(100);
        syncer.drain();
        synchronized (durable) {
            assertEquals(List.of(100L), durable);
        }
    }
}
