package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeBootId;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RangeSource;
import dev.skyloader.application.fakes.RangeSource.Request;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.ScriptedSource;
import dev.skyloader.application.fakes.ScriptedSource.DropAt;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.TrackingFileStore;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.application.port.out.Throttle;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.PieceMap.Range;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import dev.skyloader.domain.Validator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Downloads over several connections, through the whole service: pieces of 4 KiB over 4 connections on an object
 * of about 100 KiB, from a source that honours closed ranges.
 */
class ConnectionsTest {
    private static final String OUT = "/data/model.bin";
    private static final String PART = OUT + ".part";
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin?X-Amz-Signature=secret");
    private static final String WHERE = "https://cdn.example/model.bin";
    private static final int PIECE = 4096;
    /** 25 pieces of 4 KiB and 100 bytes: too few for a piece of their own, so the last piece takes them. */
    private static final int SIZE = 25 * PIECE + 100;
    private static final AesKey KEY = AesKey.of(TransferTest.filled(7));

    private final byte[] content = TransferTest.bytes(SIZE, 41);
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final InMemoryStateStore memory = new InMemoryStateStore();
    private StateStore store = memory;
    private final InMemoryFileStore files = new InMemoryFileStore();
    private FileStore disk = files;
    private final InMemoryLocks locks = new InMemoryLocks();
    private final FakeBootId boot = new FakeBootId();
    private final RecordingListener listener = new RecordingListener();
    /** 1 KiB reads: several per piece, so that a split can land inside a piece being read. */
    private TransferSettings settings = new TransferSettings(64 << 10, Duration.ofSeconds(5), 1024,
            TransferSettings.DEFAULT.reconnectDelays(), TransferSettings.DEFAULT.freeSpaceMargin(), Duration.ZERO, 0,
            PIECE);

    private DownloadService service(ArtifactSource source) {
        return new DownloadService(source, store, locks, disk, HostHealth.ALWAYS_AVAILABLE, new Sha256Digest(),
                new XorCipher(), clock, sleeper, new SplittableRandom(7), boot, Throttle.UNLIMITED, settings);
    }

    private DownloadCommand plain(byte[] artifact, OptionalLong size, int connections) {
        return DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(artifact)), size, CipherName.NONE,
                Optional.empty(), OUT).withConnections(connections).withListener(listener);
    }

    private DownloadCommand plain() {
        return plain(content, OptionalLong.of(SIZE), 4);
    }

    private DownloadCommand encrypted(CipherName cipher, byte[] served) {
        return DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(served)), OptionalLong.of(served.length), cipher,
                Optional.of(KEY), OUT).withConnections(4).withListener(listener);
    }

    private Download stored(DownloadCommand command) {
        return memory.load(DownloadService.idFor(command.sha256(), OUT)).orElseThrow();
    }

    private static void assertComplete(DownloadResult result) {
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
    }

    /** Requests that started a piece of the scheduler (at a multiple of the piece size), by piece. */
    private static List<Request> pieceStarts(List<Request> requests, long header) {
        return requests.stream().filter(r -> (r.offset() - header) % PIECE == 0).toList();
    }

    /**
     * Every request is a closed range inside one piece of 4 KiB: each piece asked for once from its start, the split
     * halves from inside a piece, on a multiple of 16, and never past it.
     */
    private static void assertPiecesTileTheObject(List<Request> requests, long header, long body) {
        int pieces = (int) (body / PIECE);
        List<Long> starts = new ArrayList<>();
        for (Request r : requests) {
            assertTrue(r.closed(), "an open range: " + r);
            long start = r.offset() - header;
            long piece = start / PIECE;
            long pieceEnd = piece == pieces - 1 ? body : (piece + 1) * PIECE;
            assertTrue(start >= 0 && start % 16 == 0, "not on a block: " + r);
            assertTrue(r.end() - header > start && r.end() - header <= pieceEnd, "past its piece: " + r);
            if (start % PIECE == 0) {
                starts.add(start);
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long k = 0; k < pieces; k++) {
            expected.add(k * PIECE);
        }
        assertEquals(expected, starts.stream().sorted().toList(), "each piece asked for once, from its start");
    }

    /** Every byte read more than once was read by a split half too: a connection reads on to its next buffer. */
    private static void assertBytesReadTwiceOnlyAcrossSplits(RangeSource source, List<Request> requests) {
        for (int i = 0; i < SIZE; i++) {
            int times = source.timesRead(i);
            assertTrue(times >= 1, "byte " + i + " never read");
            if (times > 1) {
                long at = i;
                assertTrue(requests.stream().anyMatch(r -> r.offset() % PIECE != 0 && r.offset() <= at
                        && at < r.end()), "byte " + i + " read " + times + " times, outside any split");
            }
        }
    }

    /**
     * Holds pieces 1 to 3 until the connection that asked for piece 0 has ended: when that one fails and stops the
     * others, each of them then reads one buffer, finds the scheduler stopped, and ends.
     */
    private static Thread holdTheOthersUntilTheFirstEnds(RangeSource source) {
        CountDownLatch firstEnded = new CountDownLatch(1);
        source.holdAt(PIECE, firstEnded, 30).holdAt(2 * PIECE, firstEnded, 30).holdAt(3 * PIECE, firstEnded, 30);
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                source.awaitRequestFrom(0).join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            firstEnded.countDown();
        });
    }

    /** No piece after the first four was asked for, and none of the held ones read past its first buffer. */
    private static void assertTheOthersStopped(RangeSource source, Thread opener) throws InterruptedException {
        opener.join(10_000);
        assertFalse(source.holdTimedOut());
        assertTrue(source.requests().stream().allMatch(r -> r.offset() < 4 * PIECE),
                "a piece asked for after the stop: " + source.requests());
        for (int piece = 1; piece < 4; piece++) {
            for (int i = piece * PIECE + 1024; i < (piece + 1) * PIECE; i++) {
                assertEquals(0, source.timesRead(i), "byte " + i + " read after the stop");
            }
        }
    }

    // ---- every byte, once ----

    @Test
    void fourConnectionsFetchClosedRangesThatTileTheObjectByteExact() throws Exception {
        RangeSource source = new RangeSource(content);

        assertComplete(service(source).download(plain()));

        assertArrayEquals(content, files.content(OUT));
        List<Request> requests = source.requests();
        assertPiecesTileTheObject(requests, 0, SIZE);
        assertEquals(SIZE, requests.stream().mapToLong(Request::end).max().orElseThrow(),
                "the last piece took the 100 bytes after it");
        assertTrue(source.requestsFrom(25 * PIECE).isEmpty(), "no piece of 100 bytes");
        assertBytesReadTwiceOnlyAcrossSplits(source, requests);
        assertEquals(List.of(), sleeper.sleeps());
        assertTrue(source.awaitRequestFrom(0).getName().matches("skyloader-connection-[1-4]"),
                source.awaitRequestFrom(0).getName());
        Download done = stored(plain());
        assertEquals(DownloadState.COMPLETE, done.state());
        assertEquals(PieceMap.prefixOf(SIZE), done.pieces());
        assertEquals(Optional.of(new Validator(source.etag(), WHERE)), done.validator());
    }

    @Test
    void piecesTooSmallToSplitFetchEveryByteExactlyOnce() throws Exception {
        // Pieces of 16 bytes: a split needs 32 bytes left, so no piece is ever split and nothing read twice.
        settings = settings.withPieceSize(16);
        byte[] small = TransferTest.bytes(4000, 42);
        RangeSource source = new RangeSource(small);

        assertComplete(service(source).download(plain(small, OptionalLong.of(small.length), 4)));

        assertArrayEquals(small, files.content(OUT));
        assertEquals(small.length, source.bytesRead(), "no byte fetched twice");
        List<Request> requests = source.requests();
        assertEquals(250, requests.size());
        Set<Long> offsets = new HashSet<>();
        for (Request r : requests) {
            assertEquals(r.offset() + 16, r.end(), r.toString());
            assertEquals(0, r.offset() % 16, r.toString());
            assertTrue(offsets.add(r.offset()), "asked twice: " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherName.class, names = {"AES_256_GCM", "AES_256_CTR", "AES_256_CBC"})
    void anEncryptedArtifactIsDecryptedPieceByPieceByteExact(CipherName cipher) throws Exception {
        byte[] served = XorCipher.encrypt(cipher, KEY, content);
        int header = cipher.headerBytes();
        long body = served.length - header;
        RangeSource source = new RangeSource(served);
        DownloadCommand command = encrypted(cipher, served);

        assertComplete(service(source).download(command));

        assertArrayEquals(content, files.content(OUT));
        List<Request> requests = source.requests();
        assertTrue(requests.contains(new Request(0, header + PIECE, Optional.empty())),
                "the first piece asked with the header, which the others need: " + requests);
        long chain = cipher == CipherName.AES_256_CBC ? 16 : 0;
        // A CBC piece is asked for one block early: the block it chains from.
        List<Request> all = requests.stream().map(r -> r.offset() == 0 ? new Request(header, r.end(), r.validator())
                : new Request(r.offset() + chain, r.end(), r.validator())).toList();
        assertPiecesTileTheObject(all, header, body);
        // The four connections ask at once, before any answer (one per connection at most goes without the
        // validator); every later piece names the version answered.
        assertTrue(requests.stream().filter(r -> r.validator().isEmpty()).count() <= 4, requests.toString());
        assertTrue(requests.stream().allMatch(r -> r.validator().isEmpty()
                || r.validator().equals(Optional.of(source.etag()))), requests.toString());
        assertEquals(Optional.of(new Validator(source.etag(), WHERE)), stored(command).validator());
    }

    // ---- when to use one connection ----

    @Test
    void oneConnectionAsksForEverythingInOneOpenRange() throws Exception {
        RangeSource source = new RangeSource(content);
        assertComplete(service(source).download(plain(content, OptionalLong.of(SIZE), 1)));
        assertEquals(List.of(new Request(0, -1, Optional.empty())), source.requests());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void anArtifactUnderTwoPiecesIsFetchedOverOneConnection() throws Exception {
        byte[] small = TransferTest.bytes(2 * PIECE - 1, 43);
        RangeSource source = new RangeSource(small);
        assertComplete(service(source).download(plain(small, OptionalLong.of(small.length), 4)));
        assertEquals(List.of(new Request(0, -1, Optional.empty())), source.requests());
        assertArrayEquals(small, files.content(OUT));
    }

    @Test
    void anArtifactOfTwoPiecesIsFetchedAsTwo() throws Exception {
        byte[] two = TransferTest.bytes(2 * PIECE, 44);
        RangeSource source = new RangeSource(two);
        assertComplete(service(source).download(plain(two, OptionalLong.of(two.length), 4)));
        List<Request> requests = source.requests();
        assertEquals(List.of(0L, (long) PIECE), pieceStarts(requests, 0).stream().map(Request::offset).sorted()
                .toList());
        assertTrue(requests.stream().allMatch(Request::closed), requests.toString());
        assertArrayEquals(two, files.content(OUT));
    }

    @Test
    void withTheSizeUnknownTheFirstAnswerTellsItAndTheOthersFollow() throws Exception {
        RangeSource source = new RangeSource(content);
        DownloadCommand command = plain(content, OptionalLong.empty(), 4);

        assertComplete(service(source).download(command));

        List<Request> requests = source.requests();
        assertEquals(new Request(0, PIECE, Optional.empty()), requests.get(0));
        assertPiecesTileTheObject(requests, 0, SIZE);
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aSmallArtifactOfUnknownSizeIsLeftToTheFirstConnection() throws Exception {
        byte[] small = TransferTest.bytes(2 * PIECE - 16, 45);
        RangeSource source = new RangeSource(small);

        assertComplete(service(source).download(plain(small, OptionalLong.empty(), 4)));

        assertArrayEquals(small, files.content(OUT));
        assertEquals(small.length, source.bytesRead(), "no byte fetched twice");
        assertEquals(List.of(0L, (long) PIECE), source.requests().stream().map(Request::offset).toList(),
                "no second connection: what the first did not read is asked for after it");
    }

    @Test
    void aSmallArtifactOfUnknownSizeIsReadAsTheFirstPieceThenTheRestOverOneConnection() throws Exception {
        byte[] small = TransferTest.bytes(2 * PIECE - 16, 45);
        RangeSource source = new RangeSource(small);

        assertComplete(service(source).download(plain(small, OptionalLong.empty(), 4)));

        assertEquals(List.of(0L, (long) PIECE), source.requests().stream().map(Request::offset).toList(),
                source.requests().toString());
        assertEquals(small.length, source.bytesRead(), "no byte fetched twice");
        assertEquals(List.of(), listener.messages(), "no connection closed early");
    }

    // ---- failures of one connection ----

    @Test
    void aConnectionLostInsideItsPieceResumesItFromTheByteItReachedAndNoByteIsFetchedTwice() throws Exception {
        // The other first pieces give no byte before the reset: no connection is idle, so nothing splits piece 2.
        CountDownLatch reset = new CountDownLatch(1);
        RangeSource source = new RangeSource(content).dropAfter(2 * PIECE, 1000, reset).holdAt(0, reset, 30)
                .holdAt(PIECE, reset, 30).holdAt(3 * PIECE, reset, 30);

        assertComplete(service(source).download(plain()));

        assertArrayEquals(content, files.content(OUT));
        assertFalse(source.holdTimedOut());
        assertEquals(1, source.requestsFrom(2 * PIECE).size());
        List<Request> resumed = source.requestsFrom(2 * PIECE + 1000);
        assertEquals(1, resumed.size(), "the rest of the piece, from the byte it reached");
        assertEquals(Optional.of(source.etag()), resumed.get(0).validator());
        for (int i = 2 * PIECE; i < 2 * PIECE + 1000; i++) {
            assertEquals(1, source.timesRead(i), "byte " + i);
        }
        assertBytesReadTwiceOnlyAcrossSplits(source, source.requests());
        assertEquals(List.of(), sleeper.sleeps(), "a connection that moved bytes goes on at once");
    }

    @Test
    void aConnectionRefusedBeforeAByteLeavesItsPieceToTheOthers() throws Exception {
        RangeSource source = new RangeSource(content)
                .refuse(PIECE, SourceException.transientError("connection refused", null));

        assertComplete(service(source).download(plain()));

        assertArrayEquals(content, files.content(OUT));
        assertEquals(2, source.requestsFrom(PIECE).size(), "asked again, by another connection");
        assertEquals(List.of(), sleeper.sleeps());
    }

    @Test
    void aPieceRefusedForGoodStopsEveryConnectionAndFailsTheDownload() throws Exception {
        SourceException gone = SourceException.permanent(WHERE + ": 404 Not Found");
        RangeSource source = new RangeSource(content).refuse(0, gone);
        Thread opener = holdTheOthersUntilTheFirstEnds(source);
        DownloadCommand command = plain();

        DownloadResult result = service(source).download(command);

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(gone.getMessage(), result.message());
        assertFalse(files.exists(OUT));
        assertEquals(DownloadState.FAILED, stored(command).state());
        assertTheOthersStopped(source, opener);
    }

    @Test
    void connectionsThatAllFailWithoutAByteEndTheAttemptWithTheirError() throws Exception {
        SourceException refused = SourceException.transientError(WHERE + ": connection refused", null);
        RangeSource source = new RangeSource(content).refuseFirst(4, refused);
        DownloadCommand command = plain();

        assertComplete(service(source).download(command));

        assertEquals(List.of(Duration.ofSeconds(1)), sleeper.sleeps(), "each connection gave up after one refusal");
        assertEquals(List.of(new RecordingListener.Waiting(stored(command).id(), Duration.ofSeconds(1),
                refused.getMessage() + " (quick reconnect 1 of 5)")), listener.waits());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void withTheSizeKnownEveryConnectionAsksAtOnceAndTheOthersWaitForTheHeaderTheFirstBrings() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        CountDownLatch othersAsked = new CountDownLatch(1);
        RangeSource source = new RangeSource(served).holdAt(0, othersAsked, 30);
        Thread watcher = releaseWhenAsked(source, othersAsked, 12 + PIECE, 12 + 2 * PIECE, 12 + 3 * PIECE);

        assertComplete(service(source).download(encrypted(CipherName.AES_256_GCM, served)));

        watcher.join(10_000);
        assertFalse(source.holdTimedOut(), "the other three connections waited for the first answer to ask");
        // (An answer's headers come at once here, before its body: a validator may already be known to some.)
        assertEquals(Set.of(List.of(0L, 12L + PIECE), List.of(12L + PIECE, 12L + 2 * PIECE),
                List.of(12L + 2 * PIECE, 12L + 3 * PIECE), List.of(12L + 3 * PIECE, 12L + 4 * PIECE)),
                source.requests().subList(0, 4).stream().map(r -> List.of(r.offset(), r.end()))
                        .collect(java.util.stream.Collectors.toSet()));
        assertArrayEquals(content, files.content(OUT));
        assertFirstPiecesReadOnce(source, 12 + 4 * PIECE);
        for (int piece = 1; piece < 4; piece++) {
            assertEquals(1, source.requestsFrom(12 + piece * PIECE).size(), "piece " + piece + " asked once, then"
                    + " waited for the header: " + source.requests());
        }
    }

    @Test
    void theConnectionsWaitingForTheHeaderGoOnAsSoonAsItIsHereNotWhenTheFirstPieceEnds() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        CountDownLatch othersDone = new CountDownLatch(1);
        // Piece 0 gives the header, then nothing more until another connection has finished its piece and asked
        // for piece 4: the waiting connections must have gone on with the header alone.
        RangeSource source = new RangeSource(served).holdAfterAt(0, 12, othersDone, 30);
        Thread watcher = releaseWhenAsked(source, othersDone, 12 + 4 * PIECE);

        assertComplete(service(source).download(encrypted(CipherName.AES_256_GCM, served)));

        watcher.join(10_000);
        assertFalse(source.holdTimedOut(), "a piece after the first ended only once the first let go");
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aFirstConnectionLostBeforeTheHeaderLeavesItToOneOfTheConnectionsWaitingForIt() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        CountDownLatch othersAsked = new CountDownLatch(1);
        RangeSource source = new RangeSource(served).holdThenDropAt(0, othersAsked, 30, 0);
        Thread watcher = releaseWhenAsked(source, othersAsked, 12 + PIECE, 12 + 2 * PIECE, 12 + 3 * PIECE);

        assertComplete(service(source).download(encrypted(CipherName.AES_256_GCM, served)));

        watcher.join(10_000);
        assertFalse(source.holdTimedOut());
        assertEquals(2, source.requestsFrom(0).size(), "the header's piece asked again: " + source.requests());
        assertArrayEquals(content, files.content(OUT));
        // The waiting answers were given up unread: no byte was paid for twice.
        assertFirstPiecesReadOnce(source, 12 + 4 * PIECE);
    }

    @Test
    void theHeadersPieceAskedAgainAndAnsweredWithAnotherVersionWholeIsAChangeNotAServerIgnoringRanges()
            throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        byte[] other = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, TransferTest.bytes(SIZE, 46));
        CountDownLatch othersAsked = new CountDownLatch(1);
        // The first ask for piece 0 is lost before the header; the second is answered with all of another version.
        RangeSource source = new RangeSource(served).holdThenDropAt(0, othersAsked, 30, 0)
                .otherVersionAt(0, other, true);
        Thread watcher = releaseWhenAsked(source, othersAsked, 12 + PIECE, 12 + 2 * PIECE, 12 + 3 * PIECE);

        assertComplete(service(source).download(encrypted(CipherName.AES_256_GCM, served)));

        watcher.join(10_000);
        assertFalse(source.holdTimedOut());
        assertArrayEquals(content, files.content(OUT));
        assertEquals(Optional.of(source.etag()), source.requestsFrom(0).get(1).validator(),
                "asked again naming the version the first answers told");
        assertTrue(listener.messages().stream().noneMatch(m -> m.contains("ignores ranges")), listener.messages()
                .toString());
        assertTrue(listener.messages().stream().anyMatch(m -> m.contains("changed")), listener.messages().toString());
    }

    @Test
    void aFirstConnectionRefusedBeforeTheHeaderLeavesItToAnother() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        RangeSource source = new RangeSource(served)
                .refuse(0, SourceException.transientError("connection refused", null));

        assertComplete(service(source).download(encrypted(CipherName.AES_256_GCM, served)));

        assertArrayEquals(content, files.content(OUT));
        assertEquals(2, source.requestsFrom(0).size(), source.requests().toString());
        assertFirstPiecesReadOnce(source, 12 + 4 * PIECE);
    }

    /** Served bytes {@code [0, end)} were each read once (splits, which read some bytes twice, come at the end). */
    private static void assertFirstPiecesReadOnce(RangeSource source, int end) {
        for (int i = 0; i < end; i++) {
            assertEquals(1, source.timesRead(i), "served byte " + i);
        }
    }

    /** Opens {@code latch} once a request from each of {@code offsets} was made. */
    private static Thread releaseWhenAsked(RangeSource source, CountDownLatch latch, long... offsets) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                for (long offset : offsets) {
                    source.awaitRequestFrom(offset);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            latch.countDown();
        });
    }

    @Test
    void aBugInOneConnectionStopsAllAndReachesTheCaller() throws Exception {
        IllegalStateException bug = new IllegalStateException("a bug in the source");
        RangeSource source = new RangeSource(content).crash(0, bug);
        Thread opener = holdTheOthersUntilTheFirstEnds(source);

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> service(source).download(plain()));

        assertSame(bug, thrown);
        assertFalse(files.exists(OUT));
        assertFalse(locks.isHeld(DownloadService.idFor(plain().sha256(), OUT)), "the lock was released");
        assertTheOthersStopped(source, opener);
    }

    @Test
    void aWriteThatFailsStopsEveryConnectionAndPausesTheDownload() throws Exception {
        TrackingFileStore failing = new TrackingFileStore(files);
        failing.failWriteAt(100);
        disk = failing;
        RangeSource source = new RangeSource(content);
        Thread opener = holdTheOthersUntilTheFirstEnds(source);
        DownloadCommand command = plain();

        DownloadResult result = service(source).download(command);

        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertTrue(result.message().startsWith("the disk is full (IOException: No space left on device)"),
                result.message());
        assertEquals(DownloadState.PAUSED, stored(command).state());
        assertTheOthersStopped(source, opener);
    }

    @Test
    void withoutASizeTheSizeTheFirstAnswerTellsIsCheckedBeforeAnyBodyByteAndNoOtherConnectionStarts()
            throws Exception {
        files.put("/data/other", new byte[SIZE / 2]);
        files.capacity(SIZE);
        DownloadCommand unsized = plain(content, OptionalLong.empty(), 4);
        RangeSource first = new RangeSource(content);

        DownloadResult full = service(first).download(unsized);

        assertEquals(Outcome.NOT_FINISHED, full.outcome());
        assertTrue(full.message().startsWith("not enough disk space for " + PART + ": the server says the artifact is "
                + SIZE + " bytes"), full.message());
        Download paused = stored(unsized);
        assertEquals(DownloadState.PAUSED, paused.state());
        assertEquals(0, paused.bytesDownloaded(), "not a byte of the body was taken");
        assertEquals(1, first.requests().size(), "the lead piece only: the others wait for its answer");

        files.delete("/data/other");
        // Room for it and the margin (this fake counts a part's gaps as used, where a file system has holes).
        files.capacity(2L * SIZE + (64L << 20));
        assertComplete(service(new RangeSource(content)).download(unsized));
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aPartFileLongerThanTheNamedPrefixIsTrustedOnlyUpToIt() throws Exception {
        DownloadCommand command = plain();
        // The state names [0, 4 pieces); pieces 8 and 9 were written too, and the process died before it named them.
        byte[] part = new byte[10 * PIECE];
        System.arraycopy(content, 0, part, 0, 4 * PIECE);
        System.arraycopy(content, 8 * PIECE, part, 8 * PIECE, 2 * PIECE);
        files.put(PART, part);
        Download earlier = Download.create(DownloadService.idFor(command.sha256(), OUT), URL, command.sha256(),
                command.expectedSize(), CipherName.NONE, OUT, PART, clock.instant());
        earlier.startAttempt(clock.instant());
        // As a run of several connections leaves it: the state said so before the first gap was written.
        earlier.markPiecewise(clock.instant());
        earlier.recordPieces(PieceMap.prefixOf(4 * PIECE), PieceMap.empty(), clock.instant());
        earlier.recordBoot(boot.current().orElseThrow(), clock.instant());
        memory.save(earlier);
        RangeSource source = new RangeSource(content);

        assertComplete(service(source).download(command));

        assertEquals(0, stored(command).restarts(), "no SHA-256 mismatch");
        assertTrue(source.requestsFrom(0).isEmpty(), source.requests().toString());
        assertEquals(1, source.timesRead(4 * PIECE), "the hole was fetched");
    }

    @Test
    void anInterruptedRunStopsEveryConnectionAtOnceAndIsPausedNotLeftDownloading() throws Exception {
        // The first four pieces give no byte until released: the interrupt must not wait for them.
        CountDownLatch release = new CountDownLatch(1);
        RangeSource source = new RangeSource(content);
        for (int piece = 0; piece < 4; piece++) {
            source.holdAt(piece * PIECE, release, 30);
        }
        Throwable[] thrown = new Throwable[1];
        Thread run = Thread.ofPlatform().start(() -> {
            try {
                service(source).download(plain());
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        for (int piece = 0; piece < 4; piece++) {
            source.awaitRequestFrom(piece * PIECE);
        }

        run.interrupt();
        run.join(10_000);
        assertFalse(run.isAlive(), "every connection stopped without its held read being released");
        release.countDown();

        assertFalse(source.holdTimedOut());
        InterruptedException interrupted = assertInstanceOf(InterruptedException.class, thrown[0]);
        assertEquals("interrupted while 4 connections were running", interrupted.getMessage());
        assertFalse(files.exists(OUT));
        assertEquals(4, source.requests().size(), "no piece asked for after the interrupt");
        Download stopped = stored(plain());
        assertEquals(DownloadState.PAUSED, stopped.state(), "no process works on it any more");
        assertEquals(Optional.of("stopped at 0 bytes; run again to resume"), stopped.lastError());

        RangeSource again = new RangeSource(content);
        assertComplete(service(again).download(plain()));
        assertArrayEquals(content, files.content(OUT));
    }

    // ---- resuming an encrypted part without gaps ----

    /** A first run over one connection that kept {@code cut} served bytes (the header among them), then gave up. */
    private DownloadCommand cutEncrypted(byte[] served, long cut) throws Exception {
        settings = settings.withReconnectDelays(List.of());
        DownloadCommand command = encrypted(CipherName.AES_256_GCM, served).withConnections(1)
                .withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2);
        RangeSource first = new RangeSource(served).dropAfter(0, (int) cut)
                .refuse(cut, SourceException.transientError("connection refused", null));
        assertEquals(Outcome.NOT_FINISHED, service(first).download(command).outcome());
        assertEquals(cut, stored(command).bytesDownloaded());
        return command.withConnections(4);
    }

    @Test
    void aResumeWithUnderTwoPiecesLeftUsesOneConnectionToTheEnd() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        long cut = served.length - (2 * PIECE - 1);
        DownloadCommand command = cutEncrypted(served, cut);
        RangeSource source = new RangeSource(served);

        assertComplete(service(source).download(command));

        assertEquals(List.of(new Request(cut, -1, Optional.of(source.etag()))), source.requests());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aResumeWithTwoPiecesLeftSharesThem() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        long cut = served.length - 2 * PIECE;
        DownloadCommand command = cutEncrypted(served, cut);
        RangeSource source = new RangeSource(served);

        assertComplete(service(source).download(command));

        List<Request> requests = source.requests();
        assertTrue(requests.stream().allMatch(Request::closed), requests.toString());
        assertEquals(List.of(cut, cut + PIECE), requests.stream().map(Request::offset)
                .filter(o -> (o - cut) % PIECE == 0).sorted().toList());
        assertEquals(served.length, requests.stream().mapToLong(Request::end).max().orElseThrow());
        assertArrayEquals(content, files.content(OUT));
    }

    // ---- another version of the object ----

    @Test
    void aPieceServedFromAnotherVersionStopsAllAndTheDownloadStartsOverFromZeroOnce() throws Exception {
        byte[] other = TransferTest.bytes(SIZE, 46);
        // The fifth piece is asked for after a first answer named the version.
        RangeSource source = new RangeSource(content).otherVersionAt(4 * PIECE, other, false);
        DownloadCommand command = plain();

        assertComplete(service(source).download(command));

        assertArrayEquals(content, files.content(OUT));
        List<Request> fifth = source.requestsFrom(4 * PIECE);
        assertEquals(2, fifth.size(), "the changed answer, then the piece after the restart");
        assertEquals(Optional.of(source.etag()), fifth.get(0).validator());
        assertEquals(2, source.requestsFrom(0).size(), "one restart from byte 0");
        assertTrue(memory.history().stream().anyMatch(d -> d.validator().isEmpty() && d.bytesDownloaded() == 0
                && d.lastError().orElse("").startsWith(WHERE + " changed (validator ")),
                "the restart forgot the version and every byte");
        List<String> restarts = listener.messages().stream().filter(m -> m.contains("starting again from byte 0"))
                .toList();
        assertEquals(1, restarts.size(), listener.messages().toString());
        assertTrue(restarts.get(0).startsWith(WHERE + " changed (validator " + source.etag() + " -> "),
                restarts.get(0));
        assertEquals(0, stored(command).restarts(), "no SHA-256 mismatch: the change was caught as it came");
    }

    @Test
    void aPieceAnsweredWithTheWholeOfAnotherVersionStopsAllAndStartsOverOnce() throws Exception {
        byte[] other = TransferTest.bytes(SIZE, 47);
        RangeSource source = new RangeSource(content).otherVersionAt(4 * PIECE, other, true);

        assertComplete(service(source).download(plain()));

        assertArrayEquals(content, files.content(OUT));
        assertEquals(2, source.requestsFrom(0).size());
        List<String> restarts = listener.messages().stream().filter(m -> m.contains("starting again from byte 0"))
                .toList();
        assertEquals(List.of(WHERE + ": the server answered a request for bytes " + 4 * PIECE + "- with the whole"
                + " object, so it may have changed: starting again from byte 0"), restarts);
    }

    // ---- a server that ignores ranges ----

    @Test
    void aServerThatIgnoresRangesOnAResumeOfUnknownSizeIsReadFromZeroOverOneConnection() throws Exception {
        // A first run over one connection is cut at 5,000 bytes and gives up: the size was never given.
        ScriptedSource first = new ScriptedSource(content).then(new DropAt(5000));
        first.thenFailTransiently(10);
        settings = settings.withReconnectDelays(List.of());
        DownloadCommand command = plain(content, OptionalLong.empty(), 1)
                .withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2);
        assertEquals(Outcome.NOT_FINISHED, service(first).download(command).outcome());
        assertEquals(5000, stored(command).bytesDownloaded());

        RangeSource ignoring = new RangeSource(content).ignoreRanges();
        assertComplete(service(ignoring).download(command.withConnections(4)));

        assertEquals(List.of(new Request(5000, 5000 + PIECE, Optional.of(first.etag()))), ignoring.requests(),
                "one connection took the whole object");
        assertEquals(SIZE, ignoring.bytesRead(), "every byte once, from byte 0");
        assertArrayEquals(content, files.content(OUT));
        assertTrue(listener.messages().contains(WHERE + ": the server sent the whole object instead of resuming at"
                + " byte 5000 (it ignores ranges, or the object changed): starting again from byte 0"),
                listener.messages().toString());
    }

    @Test
    void aServerThatIgnoresRangesIsReadFromZeroOverOneConnection() throws Exception {
        // The budget turns the endless restarts into a failure instead of a hang.
        RangeSource ignoring = new RangeSource(content).ignoreRanges().budget(40);

        assertComplete(service(ignoring).download(plain()));

        assertArrayEquals(content, files.content(OUT));
    }

        // ---- a source that never tells the size ----

    @Test
    void aSourceThatNeverTellsTheSizeIsReadToItsEndOverOneConnection() throws Exception {
        // The budget turns the endless requests for the first piece into a failure instead of a hang.
        RangeSource source = new RangeSource(content).withoutTotal().budget(40);

        assertComplete(service(source).download(plain(content, OptionalLong.empty(), 4)));

        assertArrayEquals(content, files.content(OUT));
    }

    // ---- the state while pieces are in flight ----

    /** Tells a latch when a document it is given to save matches. */
    private static final class WatchingStore implements StateStore {
        private final InMemoryStateStore delegate;
        private final Predicate<Download> condition;
        private final CountDownLatch seen;

        WatchingStore(InMemoryStateStore delegate, Predicate<Download> condition, CountDownLatch seen) {
            this.delegate = delegate;
            this.condition = condition;
            this.seen = seen;
        }

        @Override
        public Optional<Download> load(DownloadId id) {
            return delegate.load(id);
        }

        @Override
        public void save(Download download) {
            delegate.save(download);
            if (condition.test(download)) {
                seen.countDown();
            }
        }

        @Override
        public List<Download> list() {
            return delegate.list();
        }

        @Override
        public void delete(DownloadId id) {
            delegate.delete(id);
        }
    }

    @Test
    void whileTheFirstPieceIsHeldTheStateNamesEveryOtherByteWithAGapBeforeThem() throws Exception {
        // Piece 0 gives no byte until the state names everything after it. The idle connections split it meanwhile:
        // [0, 4096) -> [0, 2048): each half gets at least half a piece, so 2048 bytes are not split again.
        PieceMap allButTheFirstHalfPiece = PieceMap.of(List.of(new Range(2048, SIZE)));
        CountDownLatch gap = new CountDownLatch(1);
        store = new WatchingStore(memory, d -> d.pieces().equals(allButTheFirstHalfPiece), gap);
        RangeSource source = new RangeSource(content).holdAt(0, gap, 30);

        assertComplete(service(source).download(plain()));

        assertFalse(source.holdTimedOut(), "the state never named [2048, " + SIZE + ") alone");
        Download named = memory.history().stream().filter(d -> d.pieces().equals(allButTheFirstHalfPiece)).findFirst()
                .orElseThrow();
        assertEquals(SIZE - 2048, named.bytesDownloaded());
        assertEquals(DownloadState.DOWNLOADING, named.state());
        assertEquals(List.of(new Request(2048, 4096, Optional.of(source.etag()))), source.requestsFrom(2048),
                "the last half split off the held piece");
        assertTrue(source.requests().stream().noneMatch(r -> r.offset() > 0 && r.offset() < 256),
                source.requests().toString());
        for (int i = 0; i < 256; i++) {
            assertEquals(1, source.timesRead(i), "byte " + i + " came only from the held connection");
        }
        assertArrayEquals(content, files.content(OUT));
        assertEquals(PieceMap.prefixOf(SIZE), stored(plain()).pieces());
    }

    // ---- a part with gaps ----

    @Test
    void oneConnectionFillsTheGapsAnEarlierRunLeftOneClosedRangeEach() throws Exception {
        DownloadCommand command = plain(content, OptionalLong.of(SIZE), 1);
        PieceMap kept = PieceMap.of(List.of(new Range(0, 3 * PIECE), new Range(5 * PIECE, 20 * PIECE)));
        leftByAnEarlierRun(command, kept);
        RangeSource source = new RangeSource(content);

        assertComplete(service(source).download(command));

        assertArrayEquals(content, files.content(OUT));
        assertEquals(List.of(new Request(3 * PIECE, 5 * PIECE, Optional.of(source.etag())),
                new Request(20 * PIECE, SIZE, Optional.of(source.etag()))), source.requests());
        assertEquals(SIZE - kept.present(), source.bytesRead(), "only the gaps");
    }

    @Test
    void fourConnectionsFillTheGapsAnEarlierRunLeftAndFetchNothingKept() throws Exception {
        DownloadCommand command = plain();
        PieceMap kept = PieceMap.of(List.of(new Range(0, 3 * PIECE), new Range(5 * PIECE, 20 * PIECE)));
        leftByAnEarlierRun(command, kept);
        RangeSource source = new RangeSource(content);

        assertComplete(service(source).download(command));

        assertArrayEquals(content, files.content(OUT));
        for (int i = 0; i < SIZE; i++) {
            long at = i;
            boolean here = kept.ranges().stream().anyMatch(r -> r.start() <= at && at < r.end());
            if (here) {
                assertEquals(0, source.timesRead(i), "byte " + i + " was already here");
            }
        }
        List<Long> starts = pieceStarts(source.requests(), 0).stream().map(Request::offset).sorted().toList();
        assertEquals(List.of(3L * PIECE, 4L * PIECE, 20L * PIECE, 21L * PIECE, 22L * PIECE, 23L * PIECE,
                24L * PIECE), starts);
    }

    /** What a run over several connections left: the ranges {@code kept}, written and synced in this boot. */
    private void leftByAnEarlierRun(DownloadCommand command, PieceMap kept) throws IOException {
        byte[] part = new byte[(int) kept.ranges().get(kept.ranges().size() - 1).end()];
        for (Range range : kept.ranges()) {
            System.arraycopy(content, (int) range.start(), part, (int) range.start(), (int) range.length());
        }
        files.put(PART, part);
        Download earlier = Download.create(DownloadService.idFor(command.sha256(), OUT), URL, command.sha256(),
                command.expectedSize(), CipherName.NONE, OUT, PART, clock.instant());
        earlier.startAttempt(clock.instant());
        earlier.recordValidator(new Validator("\"e" + Integer.toHexString(Arrays.hashCode(content)) + "\"", WHERE),
                clock.instant());
        earlier.recordPieces(kept, kept, clock.instant());
        earlier.recordBoot(boot.current().orElseThrow(), clock.instant());
        memory.save(earlier);
    }
}
