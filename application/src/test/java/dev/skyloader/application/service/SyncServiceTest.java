package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.LocalStorageException;
import dev.skyloader.application.port.in.SyncCommand;
import dev.skyloader.application.port.in.SyncCommand.Entry;
import dev.skyloader.application.port.in.SyncResult;
import dev.skyloader.application.port.in.SyncResult.Item;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyncServiceTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final long MARGIN = 100;

    private final InMemoryFileStore files = new InMemoryFileStore();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final FakeDownloads downloads = new FakeDownloads();
    private final RecordingListener listener = new RecordingListener();
    private final SyncService sync = new SyncService(downloads, store, files, MARGIN);

    /** Downloads that put {@code size} bytes in place, or end as told; records what was asked, in order. */
    private final class FakeDownloads implements DownloadArtifact {
        final List<String> asked = new ArrayList<>();
        final Map<String, Outcome> outcomes = new HashMap<>();
        final Map<String, RuntimeException> throwing = new HashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        volatile CountDownLatch together;

        @Override
        public DownloadResult download(DownloadCommand command) throws InterruptedException {
            String out = command.outputPath();
            synchronized (this) {
                asked.add(out);
            }
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (together != null) {
                    together.countDown();
                    together.await();
                }
                if (throwing.containsKey(out)) {
                    throw throwing.get(out);
                }
                Outcome outcome = outcomes.getOrDefault(out, Outcome.COMPLETE);
                Download d = Download.create(DownloadService.idFor(command.sha256(), out), command.url(),
                        command.sha256(), command.expectedSize(), command.cipher(), out, out + ".part", NOW);
                if (outcome == Outcome.COMPLETE && !files.exists(out)) { // else: already complete
                    files.put(out, new byte[(int) command.expectedSize().orElse(3)]);
                }
                return new DownloadResult(outcome, DownloadStatus.of(d), outcome + " " + out);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private Entry entry(String name, int priority, int shaSeed, long size) {
        return entry(name, priority, shaSeed, size, CipherName.NONE, Optional.empty());
    }

    private Entry entry(String name, int priority, int shaSeed, long size, CipherName cipher, Optional<AesKey> key) {
        Sha256 sha = new Sha256(String.format("%064x", shaSeed));
        DownloadCommand command = new DownloadCommand(new SourceUrl("https://cdn.example/" + name), List.of(), sha,
                OptionalLong.of(size), cipher, key, "/out/" + name, dev.skyloader.domain.BackoffPolicy.DEFAULT,
                java.util.OptionalInt.empty(), 2, listener);
        return new Entry(name, priority, command);
    }

    private static AesKey key(int fill) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) fill);
        return AesKey.of(bytes);
    }

    @Test
    void higherPriorityGoesFirstAndEqualPrioritiesKeepTheManifestsOrder() throws Exception {
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 10), entry("b", 5, 2, 10),
                entry("c", 0, 3, 10), entry("d", 5, 4, 10), entry("e", -1, 5, 10)), 1));
        assertEquals(List.of("/out/b", "/out/d", "/out/a", "/out/c", "/out/e"), downloads.asked);
        assertEquals(Outcome.COMPLETE, result.outcome());
        assertEquals(List.of("a", "b", "c", "d", "e"), result.items().stream().map(Item::name).toList(),
                "the items keep the manifest's order");
        assertEquals("5 of 5 artifacts complete", result.message());
    }

    @Test
    void upToParallelArtifactsRunAtOnce() throws Exception {
        downloads.together = new CountDownLatch(2);
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 10), entry("b", 0, 2, 10),
                entry("c", 0, 3, 10), entry("d", 0, 4, 10)), 2));
        assertEquals(Outcome.COMPLETE, result.outcome());
        assertEquals(2, downloads.mostAtOnce.get(), "two at once (the first two wait for each other), never three");
    }

    @Test
    void theSameArtifactTwiceIsFetchedOnceAndLinkedInPlace() throws Exception {
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 7, 10), entry("b", 0, 8, 10),
                entry("a-again", 0, 7, 10)), 2));
        assertEquals(List.of("/out/a", "/out/b"), downloads.asked.stream().sorted().toList());
        assertEquals(Outcome.COMPLETE, result.outcome());
        assertTrue(files.sameFile("/out/a", "/out/a-again"));
        assertEquals("the same artifact as a: put in place without fetching it again",
                result.items().get(2).message());
        assertTrue(listener.notices().stream().anyMatch(n -> n.message().startsWith("a-again: the same artifact")));

        downloads.asked.clear();
        SyncResult again = sync.sync(new SyncCommand(List.of(entry("a", 0, 7, 10), entry("a-again", 0, 7, 10)), 1));
        assertEquals("already in place (the same file as a)", again.items().get(1).message());
        assertEquals(List.of("/out/a"), downloads.asked);
    }

    @Test
    void theHigherPriorityEntryOfTwoThatShareAnArtifactIsTheOneFetched() throws Exception {
        sync.sync(new SyncCommand(List.of(entry("low", 0, 7, 10), entry("high", 3, 7, 10)), 1));
        assertEquals(List.of("/out/high"), downloads.asked);
        assertTrue(files.sameFile("/out/high", "/out/low"));
    }

    @Test
    void theSameSha256UnderAnotherKeyOrCipherIsAnotherArtifact() throws Exception {
        sync.sync(new SyncCommand(List.of(entry("a", 0, 7, 32, CipherName.AES_256_CTR, Optional.of(key(1))),
                entry("b", 0, 7, 32, CipherName.AES_256_CTR, Optional.of(key(2))),
                entry("c", 0, 7, 32, CipherName.AES_256_CTR, Optional.of(key(1))),
                entry("d", 0, 7, 32)), 1));
        assertEquals(List.of("/out/a", "/out/b", "/out/d"), downloads.asked);
        assertTrue(files.sameFile("/out/a", "/out/c"));
    }

    @Test
    void aCopyOfAnArtifactThatDidNotCompleteEndsAsItDid() throws Exception {
        downloads.outcomes.put("/out/a", Outcome.NOT_FINISHED);
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 7, 10), entry("b", 0, 7, 10)), 1));
        assertEquals(Outcome.NOT_FINISHED, result.items().get(1).outcome());
        assertEquals("the same artifact as a: NOT_FINISHED /out/a", result.items().get(1).message());
        assertFalse(files.exists("/out/b"));
    }

    @Test
    void oneFailureDoesNotStopTheOthersAndMakesTheWholeFail() throws Exception {
        downloads.outcomes.put("/out/b", Outcome.FAILED);
        downloads.outcomes.put("/out/c", Outcome.NOT_FINISHED);
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 10), entry("b", 0, 2, 10),
                entry("c", 0, 3, 10), entry("d", 0, 4, 10)), 1));
        assertEquals(4, downloads.asked.size());
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(List.of(Outcome.COMPLETE, Outcome.FAILED, Outcome.NOT_FINISHED, Outcome.COMPLETE),
                result.items().stream().map(Item::outcome).toList());
        assertEquals("2 of 4 artifacts complete, 1 failed, 1 not finished yet", result.message());
    }

    @Test
    void unfinishedWithoutFailuresIsNotFinished() throws Exception {
        downloads.outcomes.put("/out/b", Outcome.NOT_FINISHED);
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 10), entry("b", 0, 2, 10)), 2));
        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertEquals("1 of 2 artifacts complete, 1 not finished yet", result.message());
    }

    @Test
    void aLocalStorageErrorOrABugFailsItsOwnArtifactOnly() throws Exception {
        downloads.throwing.put("/out/a", new LocalStorageException("cannot lock x", null));
        downloads.throwing.put("/out/b", new IllegalStateException("boom"));
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 10), entry("b", 0, 2, 10),
                entry("c", 0, 3, 10), entry("a2", 0, 1, 10)), 1));
        assertEquals(List.of(Outcome.FAILED, Outcome.FAILED, Outcome.COMPLETE, Outcome.FAILED),
                result.items().stream().map(Item::outcome).toList());
        assertEquals("cannot lock x", result.items().get(0).message());
        assertEquals("error: IllegalStateException: boom", result.items().get(1).message());
        assertEquals("the same artifact as a: cannot lock x", result.items().get(3).message());
        assertTrue(result.items().get(0).status().isEmpty());
    }

    @Test
    void anUpdateLargerThanTheWholeDiskFailsForGoodBeforeAnyByte() throws Exception {
        files.capacity(1_000);
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 600), entry("b", 0, 2, 401)), 1));
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals("the update needs 1001 bytes in /out, more than its whole file system holds (1000 bytes)",
                result.message());
        assertEquals(List.of(), downloads.asked);
        assertTrue(result.items().stream().allMatch(i -> i.outcome() == Outcome.FAILED));
    }

    @Test
    void anUpdateLargerThanWhatIsFreeWaitsBeforeAnyByteAndCountsWhatIsOnDiskAlready() throws Exception {
        files.capacity(1_000);
        files.put("/elsewhere", new byte[300]);
        // 700 free, a margin of 100: 600 can still come.
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 400), entry("b", 0, 2, 201),
                entry("b-copy", 0, 2, 201)), 1));
        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertEquals("not enough disk space in /out: the update still needs 601 bytes and a margin of 100, 700 are"
                + " free; free some space and run again", result.message());
        assertEquals(List.of(), downloads.asked);

        // What an earlier run has on disk already (a partial b), and what it completed (a), need no more room.
        Entry a = entry("a", 0, 1, 400);
        Entry b = entry("b", 0, 2, 201);
        files.put("/out/a", new byte[400]);
        store.save(InMemoryStateStore.copyAs(created(a), DownloadState.COMPLETE, 400));
        store.save(Download.builder().id(DownloadService.idFor(b.command().sha256(), "/out/b"))
                .url("https://cdn.example/b").expectedSha256(b.command().sha256()).expectedSize(OptionalLong.of(201))
                .cipher(CipherName.NONE).outputPath("/out/b").partPath("/out/b.part").createdAt(NOW).updatedAt(NOW)
                .state(DownloadState.PAUSED).bytesDownloaded(2).build());
        files.capacity(300 + 400 + 199 + 100); // exactly the rest of b and the margin are free
        SyncResult fits = sync.sync(new SyncCommand(List.of(a, b), 1));
        assertEquals(Outcome.COMPLETE, fits.outcome(), fits.message());
    }

    private static Download created(Entry entry) {
        DownloadCommand c = entry.command();
        return Download.create(DownloadService.idFor(c.sha256(), c.outputPath()), c.url(), c.sha256(),
                c.expectedSize(), c.cipher(), c.outputPath(), c.outputPath() + ".part", NOW);
    }

    @Test
    void twoEntriesMayNotWriteOneOutput() {
        assertThrows(IllegalArgumentException.class, () -> new SyncCommand(List.of(entry("a", 0, 1, 10),
                entry("a", 0, 2, 10)), 1));
        assertThrows(IllegalArgumentException.class, () -> new SyncCommand(List.of(), 0));
    }

    @Test
    void theSameSha256WithAnotherSizeOrWithoutTheKeyIsAnotherArtifact() throws Exception {
        sync.sync(new SyncCommand(List.of(entry("a", 0, 7, 32), entry("b", 0, 7, 48),
                entry("c", 0, 7, 32, CipherName.AES_256_CTR, Optional.of(key(1))),
                entry("d", 0, 7, 32)), 1));
        assertEquals(List.of("/out/a", "/out/b", "/out/c"), downloads.asked);
        assertTrue(files.sameFile("/out/a", "/out/d"));
    }

    @Test
    void aCopyThatCannotBePutInPlaceFailsAloneAndSaysWhy() throws Exception {
        dev.skyloader.application.fakes.TrackingFileStore tracked = new dev.skyloader.application.fakes.TrackingFileStore(
                files);
        tracked.failLinkWith(new java.io.IOException("Read-only file system"));
        SyncService failing = new SyncService(downloads, store, tracked, MARGIN);
        SyncResult result = failing.sync(new SyncCommand(List.of(entry("a", 0, 7, 10), entry("b", 0, 7, 10)), 1));
        assertEquals(Outcome.COMPLETE, result.items().get(0).outcome());
        assertEquals(Outcome.FAILED, result.items().get(1).outcome());
        assertEquals("cannot put a in place as /out/b: IOException: Read-only file system",
                result.items().get(1).message());
        assertEquals(Outcome.FAILED, result.outcome());
    }

    @Test
    void anUpdateAsLargeAsTheWholeDiskIsNotRefusedForItsSizeAlone() throws Exception {
        files.capacity(1_000);
        SyncResult result = sync.sync(new SyncCommand(List.of(entry("a", 0, 1, 1_000)), 1));
        assertEquals(Outcome.NOT_FINISHED, result.outcome(), "it could fit once the disk is empty: it waits");
        assertTrue(result.message().startsWith("not enough disk space in /out"), result.message());
    }

    @Test
    void theFolderOfAPathIsWhatComesBeforeItsLastSlash() {
        assertEquals("/", SyncService.folderOf("/x"));
        assertEquals("/a", SyncService.folderOf("/a/b"));
        assertEquals("/", SyncService.folderOf("x"));
    }
}
