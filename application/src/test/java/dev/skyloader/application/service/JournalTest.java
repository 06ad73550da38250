package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.PieceMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
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

    /** A thread whose failure the test sees: {@link #join()} rethrows it. */
    private static final class Background {
        private final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        final Thread thread;

        Background(Step step) {
            thread = Thread.ofPlatform().start(() -> {
                try {
                    step.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
        }

        void join() throws Throwable {
            thread.join();
            if (failure.get() != null) {
                throw failure.get();
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** The in-memory store, whose first save can be held at the door, and which tells durable saves from live ones. */
    private final class HeldStore implements StateStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> saves = new ArrayList<>();
        boolean failLiveOnce;

        @Override
        public Optional<Download> load(DownloadId id) {
            return store.load(id);
        }

        @Override
        public void save(Download download) {
            write(download, "durable");
        }

        @Override
        public void saveUnsynced(Download download) throws java.io.IOException {
            if (failLiveOnce) {
                failLiveOnce = false;
                throw new java.io.IOException("disk full");
            }
            write(download, "live");
        }

        /** Only the first write is held. */
        private void write(Download download, String kind) {
            if (entered.getCount() > 0) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            synchronized (this) {
                saves.add(kind + " " + download.state().wireName() + " " + download.bytesDownloaded());
            }
            store.save(download);
        }

        @Override
        public List<Download> list() {
            return store.list();
        }

        @Override
        public void delete(DownloadId id) {
            store.delete(id);
        }
    }

    private Journal journal(StateStore into, DownloadState state) {
        Download d = Download.builder().id(ID).url("https://cdn.example/model.bin")
                .expectedSha256(new Sha256("ef".repeat(32))).expectedSize(OptionalLong.of(1000))
                .outputPath("/data/model.bin").partPath("/data/model.bin.part").createdAt(clock.instant())
                .state(state).build();
        return new Journal(d, into, clock);
    }

    @Test
    void whileASaveIsBeingWrittenTheDownloadCanStillBeReadAndChanged() throws Throwable {
        HeldStore held = new HeldStore();
        Journal journal = journal(held, DownloadState.PENDING);
        Background saver = new Background(() -> journal.change((d, now) -> d.startAttempt(now)));
        assertTrue(held.entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertEquals(DownloadState.DOWNLOADING, journal.read(Download::state));
            journal.changeLater((d, now) -> d.recordBoot("boot-2", now));
        }, "a save being written holds no reader back");
        held.release.countDown();
        saver.join();
        assertEquals(List.of("durable downloading 0"), held.saves);
    }

    /** Starts a save of the first change, attempt started, and returns once the store holds it at the door. */
    private Background heldFirstSave(HeldStore held, Journal journal) throws InterruptedException {
        Background first = new Background(() -> journal.change((d, now) -> d.startAttempt(now)));
        assertTrue(held.entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        return first;
    }

    /** Reports 100 bytes written, none more durable, from a thread of its own. */
    private static Background reportInBackground(Journal journal, boolean durably) {
        return new Background(() -> journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), durably));
    }

    @Test
    void aLiveSaveAskedForWhileAnotherIsWrittenReturnsAtOnceAndTheWriterWritesItAfterItsOwn() throws Throwable {
        HeldStore held = new HeldStore();
        Journal journal = journal(held, DownloadState.PENDING);
        Background first = heldFirstSave(held, journal);
        Background second = reportInBackground(journal, false);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> second.join(), "a live save never waits");
        assertEquals(List.of(), held.saves, "nothing written yet");
        held.release.countDown();
        first.join();
        assertEquals(List.of("durable downloading 0", "live downloading 100"), held.saves);
        assertEquals(100, store.load(ID).orElseThrow().bytesDownloaded(), "the newest version is the one kept");
    }

    @Test
    void aLiveSaveLeftToTheWriterThatFailsThereIsWrittenByTheNextSaveAndFailsNoOneElse() throws Throwable {
        HeldStore held = new HeldStore();
        Journal journal = journal(held, DownloadState.PENDING);
        Background first = heldFirstSave(held, journal);
        journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), false);
        held.failLiveOnce = true;
        held.release.countDown();
        first.join();
        assertEquals(List.of("durable downloading 0"), held.saves, "the live save failed, the durable one stands");
        journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), false);
        assertEquals(List.of("durable downloading 0", "live downloading 100"), held.saves);
    }

    @Test
    void aStoreThatThrowsAnErrorLeavesNoSaveStuckBehindIt() throws Exception {
        List<String> saves = new ArrayList<>();
        boolean[] fail = {true};
        StateStore breaking = new StateStore() {
            @Override
            public Optional<Download> load(DownloadId id) {
                return store.load(id);
            }

            @Override
            public void save(Download download) {
                if (fail[0]) {
                    fail[0] = false;
                    throw new OutOfMemoryError("no room for the document");
                }
                saves.add("durable " + download.bytesDownloaded());
            }

            @Override
            public List<Download> list() {
                return store.list();
            }

            @Override
            public void delete(DownloadId id) {
            }
        };
        Journal journal = journal(breaking, DownloadState.DOWNLOADING);
        assertThrows(OutOfMemoryError.class,
                () -> journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), true));
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> journal.progress(PieceMap.prefixOf(200), PieceMap.prefixOf(0), true));
        assertEquals(List.of("durable 200"), saves);
    }

    @Test
    void aDurableSaveWaitsForTheOneBeingWrittenThenWritesTheNewestVersion() throws Throwable {
        HeldStore held = new HeldStore();
        Journal journal = journal(held, DownloadState.PENDING);
        Background first = heldFirstSave(held, journal);
        Background second = reportInBackground(journal, true);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (second.thread.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }, "the durable save waits for the first to be written");
        assertEquals(List.of(), held.saves);
        held.release.countDown();
        first.join();
        second.join();
        assertEquals(List.of("durable downloading 0", "durable downloading 100"), held.saves);
        assertEquals(100, store.load(ID).orElseThrow().bytesDownloaded());
    }

    @Test
    void aDurableSaveOfAVersionOnlyLiveSoFarWritesItAgainAndALiveSaveOfADurableOneWritesNothing() throws Exception {
        HeldStore held = new HeldStore();
        held.release.countDown();
        Journal journal = journal(held, DownloadState.DOWNLOADING);
        journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), false);
        journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), true);
        journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), false);
        journal.progress(PieceMap.prefixOf(100), PieceMap.prefixOf(0), true);
        assertEquals(List.of("live downloading 100", "durable downloading 100"), held.saves);
    }
}
