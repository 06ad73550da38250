package dev.skyloader.application.service;

import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.port.in.WakeDownloads;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WakeServiceTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(T0);
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    private static Download download(String id, DownloadState state, Instant nextAttemptAt) {
        return Download.builder().id(new DownloadId(id)).url("https://cdn.example/" + id)
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/" + id).partPath("/data/" + id + ".part")
                .createdAt(T0).state(state).nextAttemptAt(nextAttemptAt).build();
    }

    @Test
    void aKickCountsTheWaitingDownloadsOfLiveProcessesApartFromOrphanedRecordsAndRingsTheBellOnce() throws Exception {
        store.save(download("waiting", DownloadState.PAUSED, T0.plusSeconds(60)));
        store.save(download("also-waiting", DownloadState.PAUSED, T0.plusSeconds(600)));
        store.save(download("paused-for-action", DownloadState.PAUSED, null));
        store.save(download("odd-downloading", DownloadState.DOWNLOADING, T0.plusSeconds(60)));
        store.save(download("failed", DownloadState.FAILED, null));

        InMemoryLocks locks = new InMemoryLocks();
        locks.holdFor(new DownloadId("waiting"));
        assertEquals(new WakeDownloads.Woken(1, 1), new WakeService(store, sleeper, locks).wakeAll(),
                "one has a live process that the kick wakes; the other's process is gone");
        assertEquals(1, sleeper.wakeAlls());
    }

    @Test
    void aKickWithNobodyWaitingStillRingsTheBell() throws Exception {
        assertEquals(new WakeDownloads.Woken(0, 0), new WakeService(store, sleeper, new InMemoryLocks()).wakeAll());
        assertEquals(1, sleeper.wakeAlls(), "another process may be waiting on a download this one cannot read");
    }
}
