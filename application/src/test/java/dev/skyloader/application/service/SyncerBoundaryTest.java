package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncerBoundaryTest {
    @Test
    void exactlyOneBatchOfBytesStartsASync() throws Exception {
        List<Long> durable = new ArrayList<>();
        Syncer syncer = new Syncer(new InMemoryFileStore().openPart("/data/p"), bytes -> {
            synchronized (durable) {
                durable.add(bytes);
            }
        }, new FakeClock(), 100, Duration.ofSeconds(5));

        syncer.wrote(99);
        syncer.drain();
        assertEquals(List.of(), durable);
        syncer.wrote(100);
        syncer.drain();
        synchronized (durable) {
            assertEquals(List.of(100L), durable);
        }
    }
}
