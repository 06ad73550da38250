package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusServiceTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    private final InMemoryStateStore store = new InMemoryStateStore();

    private static Download download(String id, Instant updatedAt) {
        return Download.builder().id(new DownloadId(id)).url("https://cdn.example/" + id)
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/" + id).partPath("/data/" + id + ".part")
                .createdAt(T0).updatedAt(updatedAt).build();
    }

    @Test
    void listsEveryDownloadMostRecentlyUpdatedFirstThenById() throws Exception {
        store.save(download("old", T0));
        store.save(download("new-b", T0.plusSeconds(60)));
        store.save(download("new-a", T0.plusSeconds(60)));
        store.save(download("middle", T0.plusSeconds(30)));

        List<String> ids = new StatusService(store, new InMemoryLocks(), new InMemoryFileStore()).list().stream().map(DownloadStatus::id).toList();

        assertEquals(List.of("new-a", "new-b", "middle", "old"), ids);
    }

    @Test
    void aDownloadInFlightWhoseLockNobodyHoldsIsStopped() throws Exception {
        InMemoryLocks locks = new InMemoryLocks();
        store.save(Download.builder().id(new DownloadId("killed")).url("https://cdn.example/k")
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/k").partPath("/data/k.part")
                .createdAt(T0).updatedAt(T0).state(DownloadState.DOWNLOADING).build());
        store.save(Download.builder().id(new DownloadId("alive")).url("https://cdn.example/a")
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/a").partPath("/data/a.part")
                .createdAt(T0).updatedAt(T0).state(DownloadState.DOWNLOADING).build());
        store.save(download("pending", T0));
        locks.holdFor(new DownloadId("alive"));

        List<DownloadStatus> all = new StatusService(store, locks, new InMemoryFileStore()).list();
        DownloadStatus killed = all.stream().filter(s -> s.id().equals("killed")).findFirst().orElseThrow();
        DownloadStatus alive = all.stream().filter(s -> s.id().equals("alive")).findFirst().orElseThrow();
        DownloadStatus pending = all.stream().filter(s -> s.id().equals("pending")).findFirst().orElseThrow();
        assertTrue(killed.stopped());
        assertEquals(java.util.Optional.of(false), killed.running());
        assertFalse(alive.stopped());
        assertEquals(java.util.Optional.of(true), alive.running());
        assertFalse(pending.stopped(), "pending is not a process's state: nothing was stopped");
        assertFalse(DownloadStatus.of(store.load(new DownloadId("killed")).orElseThrow()).stopped(),
                "without looking at the lock, nothing is known");
        assertTrue(locks.tryLock(new DownloadId("killed")).isPresent(), "looking took no lock");
    }

    @Test
    void pruneForgetsCompleteDownloadsWhoseOutputIsGoneAndNothingElse() throws Exception {
        InMemoryLocks locks = new InMemoryLocks();
        InMemoryFileStore files = new InMemoryFileStore();
        store.save(inState("gone", DownloadState.COMPLETE));
        store.save(inState("kept", DownloadState.COMPLETE));
        store.save(inState("held", DownloadState.COMPLETE));
        store.save(inState("failed", DownloadState.FAILED));
        store.save(inState("paused", DownloadState.PAUSED));
        files.put("/data/kept", new byte[3]);
        files.put("/data/gone.part", new byte[3]);
        locks.holdFor(new DownloadId("held"));

        List<DownloadStatus> removed = new StatusService(store, locks, files).prune();

        assertEquals(List.of("gone"), removed.stream().map(DownloadStatus::id).toList());
        assertEquals(List.of("failed", "held", "kept", "paused"),
                store.list().stream().map(d -> d.id().value()).sorted().toList());
        assertFalse(files.exists("/data/gone.part"), "the part file the record named went with it");
        assertTrue(files.exists("/data/kept"));
    }

    private static Download inState(String id, DownloadState state) {
        return Download.builder().id(new DownloadId(id)).url("https://cdn.example/" + id)
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/" + id).partPath("/data/" + id + ".part")
                .createdAt(T0).updatedAt(T0).state(state).build();
    }

    @Test
    void pruneForgetsACompleteDownloadThatANewerOneOfTheSameOutputReplaced() throws Exception {
        InMemoryFileStore files = new InMemoryFileStore();
        files.put("/data/model", new byte[5]);
        store.save(Download.builder().id(new DownloadId("old")).url("https://cdn.example/v1")
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/model").partPath("/data/model.part")
                .createdAt(T0).updatedAt(T0).state(DownloadState.COMPLETE).build());
        store.save(Download.builder().id(new DownloadId("new")).url("https://cdn.example/v2")
                .expectedSha256(new Sha256("ef".repeat(32))).outputPath("/data/model").partPath("/data/model.part")
                .createdAt(T0).updatedAt(T0.plusSeconds(60)).state(DownloadState.COMPLETE).build());

        List<DownloadStatus> removed = new StatusService(store, new InMemoryLocks(), files).prune();

        assertEquals(List.of("old"), removed.stream().map(DownloadStatus::id).toList());
        assertEquals(List.of("new"), store.list().stream().map(d -> d.id().value()).toList());
        assertTrue(files.exists("/data/model"), "the output is the newer download's: it stays");
    }

    @Test
    void pruneNeverDeletesAPartFileThatAnotherDownloadOfTheSameOutputIsFilling() throws Exception {
        InMemoryFileStore files = new InMemoryFileStore();
        files.put("/data/model.part", new byte[7]);
        store.save(Download.builder().id(new DownloadId("old")).url("https://cdn.example/v1")
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/model").partPath("/data/model.part")
                .createdAt(T0).updatedAt(T0).state(DownloadState.COMPLETE).build());
        store.save(Download.builder().id(new DownloadId("new")).url("https://cdn.example/v2")
                .expectedSha256(new Sha256("ef".repeat(32))).outputPath("/data/model").partPath("/data/model.part")
                .createdAt(T0).updatedAt(T0.plusSeconds(60)).state(DownloadState.PAUSED).bytesDownloaded(7).build());

        List<DownloadStatus> removed = new StatusService(store, new InMemoryLocks(), files).prune();

        assertEquals(List.of("old"), removed.stream().map(DownloadStatus::id).toList());
        assertTrue(files.exists("/data/model.part"), "the newer download's bytes stay");
    }
}
