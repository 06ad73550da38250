package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Throttle;
import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.AnswerSource;
import dev.skyloader.application.fakes.FakeBootId;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.TrackingFileStore;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.LocalStorageException;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The front door of the download use case: the lock, and what a run makes of the state an earlier run left. */
class DownloadServicePrepareTest {
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin?sig=secret");
    private static final SourceUrl OTHER_URL = new SourceUrl("https://mirror.example/files/model.bin?sig=other");
    private static final String OUT = "/data/model.bin";

    private final byte[] content = TransferTest.bytes(1000, 1);
    private final Sha256 sha = new Sha256(Sha256Digest.hexOf(content));
    private final DownloadId id = DownloadService.idFor(sha, OUT);
    private final FakeClock clock = new FakeClock();
    private final InMemoryStateStore memoryStore = new InMemoryStateStore();
    private final InMemoryFileStore files = new InMemoryFileStore();
    private final TrackingFileStore tracked = new TrackingFileStore(files);
    private final RecordingListener listener = new RecordingListener();
    private final AnswerSource source = new AnswerSource();
    private TransferSettings settings = TransferSettings.DEFAULT.withReconnectDelays(List.of())
            .withProbeInterval(Duration.ZERO);

    private DownloadService service(StateStore store, Locks locks) {
        return new DownloadService(source, store, locks, tracked, HostHealth.ALWAYS_AVAILABLE, new Sha256Digest(),
                new XorCipher(), clock, new RecordingSleeper(clock), new SplittableRandom(7), new FakeBootId(),
                Throttle.UNLIMITED, settings);
    }

    private DownloadResult download(DownloadCommand command) throws Exception {
        return service(memoryStore, new InMemoryLocks()).download(command.withListener(listener));
    }

    private DownloadCommand command(SourceUrl url, OptionalLong size) {
        return DownloadCommand.of(url, sha, size, CipherName.NONE, Optional.empty(), OUT)
                .withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.of(1), 2);
    }

    private AnswerSource.Answer serve() {
        return (offset, v) -> new RemoteBody(offset, OptionalLong.of(content.length), Optional.empty(),
                new ByteArrayInputStream(content, (int) offset, content.length - (int) offset));
    }

    private static AnswerSource.Answer refuse() {
        return (offset, v) -> {
            throw SourceException.transientError("connection refused", null);
        };
    }

    @Test
    void anOutputRemovedAfterItsDownloadCompletedIsDownloadedAgainAndSaysWhy() throws Exception {
        source.then(serve(), serve());
        assertEquals(Outcome.COMPLETE, download(command(URL, OptionalLong.of(1000))).outcome());
        files.delete(OUT);

        DownloadResult again = download(command(URL, OptionalLong.of(1000)));

        assertEquals(Outcome.COMPLETE, again.outcome(), again.message());
        assertEquals(2, source.requests().size());
        assertArrayEquals(content, files.content(OUT));
        assertTrue(listener.notices().contains(new RecordingListener.Notice(id,
                "the output of an earlier complete download is gone: downloading again")), listener.messages()
                .toString());
    }

    @Test
    void aRunGivenTheSizeTakesTheDownloadOfARunThatWasNot() throws Exception {
        source.then(serve(), serve());
        assertEquals(Outcome.COMPLETE, download(command(URL, OptionalLong.empty())).outcome());

        DownloadResult sized = download(command(URL, OptionalLong.of(1000)));

        assertEquals(Outcome.COMPLETE, sized.outcome(), sized.message());
        assertEquals(1, source.requests().size(), "the SHA-256 names the artifact: nothing fetched again");
    }

    @Test
    void anEarlierDownloadOfAnotherSizeToTheSameOutputIsNotTakenForThisOne() throws Exception {
        source.then(serve(), serve());
        assertEquals(Outcome.COMPLETE, download(command(URL, OptionalLong.of(1000))).outcome());

        DownloadResult other = download(command(URL, OptionalLong.of(999)));

        assertEquals(2, source.requests().size(), "fetched again, not taken as already complete");
        assertEquals(OptionalLong.of(999), memoryStore.load(id).orElseThrow().expectedSize());
        assertNotEquals(Outcome.COMPLETE, other.outcome(), "a server of 1000 bytes cannot serve 999");
    }

    @Test
    void aLaterRunFromAnotherUrlRecordsThatUrlAndAsksItForTheRest() throws Exception {
        source.then(refuse(), serve());
        assertEquals(Outcome.NOT_FINISHED, download(command(URL, OptionalLong.of(1000))).outcome());
        assertEquals("https://cdn.example/model.bin", memoryStore.load(id).orElseThrow().url());

        DownloadResult done = download(command(OTHER_URL, OptionalLong.of(1000)));

        assertEquals(Outcome.COMPLETE, done.outcome(), done.message());
        assertEquals(OTHER_URL, source.requests().get(1).url());
        assertEquals("https://mirror.example/files/model.bin", memoryStore.load(id).orElseThrow().url());
    }

    @Test
    void aRunThatStopsEarlyClosesItsPartFile() throws Exception {
        source.then(refuse());
        assertEquals(Outcome.NOT_FINISHED, download(command(URL, OptionalLong.of(1000))).outcome());
        List<String> events = tracked.events();
        assertEquals("close " + OUT + ".part", events.get(events.size() - 1), events.toString());
    }

    /** The disk fills after six reads of 64 bytes (384 bytes); no checkpoint comes before. */
    private DownloadResult downloadUntilTheDiskIsFull() throws Exception {
        settings = new TransferSettings(1L << 30, Duration.ofSeconds(5), 64, List.of(), 0, Duration.ZERO, 0);
        files.put("/data/other", new byte[600]);
        files.capacity(1000);
        // An answer that tells no size (chunked): nothing to check up front, the disk fills on the way.
        source.then((offset, v) -> new RemoteBody(offset, OptionalLong.empty(), Optional.empty(),
                new ByteArrayInputStream(content, (int) offset, content.length - (int) offset)));
        return download(command(URL, OptionalLong.empty()));
    }

    @Test
    void aFullDiskPausesWithEveryByteWrittenSynced() throws Exception {
        DownloadResult result = downloadUntilTheDiskIsFull();

        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertTrue(result.message().startsWith("the disk is full (IOException: No space left on device); "),
                result.message());
        Download stored = memoryStore.load(id).orElseThrow();
        assertEquals(384, stored.bytesDownloaded());
        assertEquals(384, stored.bytesDurable());
    }

    @Test
    void aFullDiskSaysHowManyBytesAreKept() throws Exception {
        DownloadResult result = downloadUntilTheDiskIsFull();

        assertTrue(result.message().endsWith("; 384 bytes kept, run again to resume"), result.message());
        assertEquals(384, result.status().bytesDownloaded());
    }

    @Test
    void aLockThatCannotBeTakenIsALocalStorageErrorNamingTheCause() {
        Locks broken = new Locks() {
            @Override
            public Optional<Lease> tryLock(DownloadId lockId) throws IOException {
                throw new IOException("read-only file system");
            }

            @Override
            public Optional<String> holder(DownloadId lockId) {
                return Optional.empty();
            }

            @Override
            public boolean held(DownloadId lockId) {
                return false;
            }
        };
        LocalStorageException e = assertThrows(LocalStorageException.class,
                () -> service(memoryStore, broken).download(command(URL, OptionalLong.of(1000))));
        assertEquals("cannot lock " + id + " in the state directory: IOException: read-only file system",
                e.getMessage());
    }

    @Test
    void aLockThatCannotBeReleasedIsALocalStorageErrorNamingTheCauseEvenWithoutAMessage() {
        source.then(serve());
        Locks sticky = new Locks() {
            @Override
            public Optional<Lease> tryLock(DownloadId lockId) {
                return Optional.of(() -> {
                    throw new IOException();
                });
            }

            @Override
            public Optional<String> holder(DownloadId lockId) {
                return Optional.empty();
            }

            @Override
            public boolean held(DownloadId lockId) {
                return false;
            }
        };
        LocalStorageException e = assertThrows(LocalStorageException.class,
                () -> service(memoryStore, sticky).download(command(URL, OptionalLong.of(1000))));
        assertEquals("cannot release the lock of " + id + ": IOException", e.getMessage());
        assertArrayEquals(content, files.content(OUT), "the download itself went through");
    }

    @Test
    void aStateThatCannotBeReadIsALocalStorageError() {
        StateStore unreadable = new StateStore() {
            @Override
            public Optional<Download> load(DownloadId downloadId) throws IOException {
                throw new IOException("permission denied");
            }

            @Override
            public void save(Download download) {
            }

            @Override
            public List<Download> list() {
                return List.of();
            }

            @Override
            public void delete(DownloadId downloadId) {
            }
        };
        LocalStorageException e = assertThrows(LocalStorageException.class,
                () -> service(unreadable, new InMemoryLocks()).download(command(URL, OptionalLong.of(1000))));
        assertEquals("cannot read or write the state of " + id + ": IOException: permission denied",
                e.getMessage());
        assertEquals(List.of(), source.requests());
    }

    @Test
    void aFolderThatCannotBeWrittenFailsForGoodWhereAFullDiskWaits() throws Exception {
        source.then(serve());
        tracked.failOpenWith(new dev.skyloader.application.port.out.FileStore.NotWritableException(
                "/data/model.bin.part: Read-only file system", null));
        DownloadResult result = service(memoryStore, new InMemoryLocks()).download(command(URL, OptionalLong.of(1000)));
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals("cannot write the output's folder: /data/model.bin.part: Read-only file system",
                result.message());
        assertEquals(DownloadState.FAILED, memoryStore.load(id).orElseThrow().state());
    }
}
