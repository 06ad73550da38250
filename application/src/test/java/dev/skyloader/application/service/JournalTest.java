package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JournalTest {
    private static final DownloadId ID = new DownloadId("journal-test");

    private final FakeClock clock = new FakeClock();
    private final InMemoryStateStore store = new InMemoryStateStore();

    private Journal journal(DownloadState state, long written, long durable) {
        Download d = Download.builder().id(ID).url("https://cdn.example/model.bin")
                .expectedSha256(new Sha256("ef".repeat(32))).expectedSize(OptionalLong.of(1000))
                .outputPath("/data/model.bin").partPath("/data/model.bin.part").createdAt(clock.instant())
                .state(state).bytesDownloaded(written).bytesDurable(durable).build();
        return new Journal(d, store, clock);
    }

    @Test
    void aLateSyncReportAfterThePauseStillMovesTheDurableMarkAndSavesIt() throws Exception {
        Journal journal = journal(DownloadState.PAUSED, 100, 50);
        journal.progress(100, 80);
        assertEquals(80, store.load(ID).orElseThrow().bytesDurable());
        assertEquals(100, store.load(ID).orElseThrow().bytesDownloaded());
    }

    @Test
    void aLateSyncReportNeverCallsMoreDurableThanWasWritten() throws Exception {
        Journal journal = journal(DownloadState.PAUSED, 100, 50);
        journal.progress(300, 300);
        assertEquals(100, store.load(ID).orElseThrow().bytesDurable());
    }

    @Test
    void aLateSyncReportThatAddsNothingWritesNothing() throws Exception {
        Journal journal = journal(DownloadState.PAUSED, 100, 50);
        journal.progress(100, 50);
        journal.progress(100, 20);
        assertEquals(0, store.history().size());
    }

    @Test
    void progressThatAddsNothingWritesNothing() throws Exception {
        Journal journal = journal(DownloadState.DOWNLOADING, 100, 50);
        journal.progress(100, 50);
        journal.progress(90, 40);
        assertEquals(0, store.history().size());
        journal.progress(120, 60);
        assertEquals(1, store.history().size());
        assertEquals(120, journal.bytes());
    }
}
