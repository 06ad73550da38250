package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeBootId;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RangeSource;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.Throttle;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import dev.skyloader.domain.delta.ZsyncIndex;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Delta updates through the whole download service, with fakes: the control file and the artifact from one fake
 * source each, the seed and the part in memory, the XOR stand-in for every cipher format.
 */
class DeltaStepTest {
    private static final String OUT = "/data/model.bin";
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin");
    private static final SourceUrl INDEX = new SourceUrl("https://cdn.example/model.bin.zsync");
    private static final AesKey KEY = AesKey.of(TransferTest.filled(9));
    private static final int BLOCK = 1024;
    private static final int NEW_BYTES = 3000 + 2000;

    private final byte[] old = TransferTest.bytes(200_000, 1);
    private final byte[] plain = newVersion(old);
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore files = new InMemoryFileStore();
    private final RecordingListener listener = new RecordingListener();
    private final Map<String, ArtifactSource> sources = new HashMap<>();
    private final AtomicInteger indexRequests = new AtomicInteger();
    private final TransferSettings settings = new TransferSettings(64 << 10, Duration.ofSeconds(5), 1024,
            List.of(Duration.ofMillis(1)), TransferSettings.DEFAULT.freeSpaceMargin(), Duration.ZERO, 0, 16 << 10);

    /** An overwrite, an insert and a delete: every block after each shifts. */
    private static byte[] newVersion(byte[] old) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(old, 0, 50_000);
        out.write(TransferTest.bytes(3000, 2), 0, 3000);
        out.write(old, 53_000, 47_000);
        out.write(TransferTest.bytes(2000, 3), 0, 2000);
        out.write(old, 100_000, 50_000);
        out.write(old, 151_000, old.length - 151_000);
        return out.toByteArray();
    }

    /** The control file of {@code content}, as the publisher serves it for {@code cipher}. */
    private static byte[] index(byte[] content, CipherName cipher) {
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(BLOCK);
        for (int at = 0; at < content.length; at += BLOCK) {
            writer.block(content, at, Math.min(BLOCK, content.length - at));
        }
        byte[] file = writer.finish("model.bin", "model.bin", null, "0".repeat(40));
        return cipher == CipherName.NONE ? file : XorCipher.encrypt(cipher, KEY, file);
    }

    private volatile boolean probeAnswers;

    private final ArtifactSource router = new ArtifactSource() {
        @Override
        public boolean probe(SourceUrl url) {
            return probeAnswers;
        }

        @Override
        public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
            return pick(url).open(url, offset, validator);
        }

        @Override
        public RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator)
                throws SourceException {
            return pick(url).open(url, offset, end, validator);
        }

        private ArtifactSource pick(SourceUrl url) throws SourceException {
            if (url.equals(INDEX)) {
                indexRequests.incrementAndGet();
            }
            ArtifactSource source = sources.get(url.value());
            if (source == null) {
                throw SourceException.permanent(url.redacted() + ": HTTP 404 Not Found");
            }
            return source;
        }
    };

    /** Answers both kinds of request through one method: a closed range's end, or -1 for an open one. */
    private interface RangedOpen {
        RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator) throws SourceException;
    }

    private static ArtifactSource ranged(RangedOpen open) {
        return new ArtifactSource() {
            @Override
            public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
                return open.open(url, offset, -1, validator);
            }

            @Override
            public RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator)
                    throws SourceException {
                return open.open(url, offset, end, validator);
            }
        };
    }

    /** Which of the kept control file and the part set aside are still there. */
    private List<String> keptFiles(String kept) {
        return java.util.stream.Stream.of(kept, OUT + ".part.seed").filter(files::exists).toList();
    }

    private DownloadResult download(DownloadCommand command) throws Exception {
        DownloadService service = new DownloadService(router, store, new InMemoryLocks(), files,
                HostHealth.ALWAYS_AVAILABLE, new Sha256Digest(), new XorCipher(), clock, sleeper,
                new SplittableRandom(7), new FakeBootId(), Throttle.UNLIMITED, settings);
        return service.download(command.withListener(listener));
    }

    private byte[] served(CipherName cipher) {
        return cipher == CipherName.NONE ? plain : XorCipher.encrypt(cipher, KEY, plain);
    }

    private RangeSource publish(CipherName cipher) {
        byte[] served = served(cipher);
        RangeSource artifact = new RangeSource(served);
        sources.put(URL.value(), artifact);
        sources.put(INDEX.value(), new RangeSource(index(plain, cipher)));
        return artifact;
    }

    private DownloadCommand command(CipherName cipher, List<String> seeds) {
        byte[] served = served(cipher);
        return new DownloadCommand(URL, List.of(), new Sha256(Sha256Digest.hexOf(served)),
                OptionalLong.of(served.length), cipher, cipher.needsKey() ? Optional.of(KEY) : Optional.empty(), OUT,
                new BackoffPolicy(List.of(Duration.ofSeconds(1)), 0), OptionalInt.of(3), 1, listener, 2,
                Optional.of(new DownloadCommand.Delta(INDEX, seeds)));
    }

    private Download state() throws Exception {
        return store.load(DownloadService.idFor(command(CipherName.NONE, List.of()).sha256(), OUT)).orElseThrow();
    }

    private static long fetched(RangeSource source) {
        return source.bytesRead();
    }

    @ParameterizedTest
    @EnumSource(CipherName.class)
    void onlyTheGapsAreFetchedAndTheResultIsExact(CipherName cipher) throws Exception {
        RangeSource artifact = publish(cipher);
        files.put(OUT, old);

        DownloadResult result = download(command(cipher, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        long header = cipher.headerBytes();
        // The new bytes and at most two blocks around each of the three edits, the header and a tag or padding.
        assertTrue(fetched(artifact) <= NEW_BYTES + 6 * BLOCK + header + 32, fetched(artifact) + " fetched");
        assertTrue(fetched(artifact) >= NEW_BYTES, fetched(artifact) + " fetched");
        long reused = result.status().bytesReused().orElseThrow();
        assertTrue(reused >= plain.length - NEW_BYTES - 6 * BLOCK && reused <= plain.length - NEW_BYTES, "" + reused);
        assertEquals(result.status().bytesDownloaded() - reused, result.status().bytesFetched().orElseThrow());
        assertEquals(1, indexRequests.get());
        assertFalse(files.exists(DeltaStep.indexPathFor(OUT + ".part", command(cipher, List.of()))),
                "the kept control file is gone");
        String percent = String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * reused / plain.length);
        assertTrue(listener.messages().stream().anyMatch(m -> m.startsWith("delta: " + reused + " of "
                + plain.length + " bytes (" + percent + ") found in 1 seed in ") && m.endsWith(
                "; fetching the other " + (plain.length - reused))), listener.messages().toString());
    }

    /** The blocks copied are named in the state, synced, before the first gap is asked for. */
    @ParameterizedTest
    @EnumSource(value = CipherName.class, names = {"NONE", "AES_256_GCM"})
    void theCopiedBlocksAreRecordedDurablyBeforeAnyGapIsFetched(CipherName cipher) throws Exception {
        RangeSource artifact = publish(cipher);
        // The header (when there is one) comes; then every request for the gaps fails for good.
        assertNotNull(artifact);
        files.put(OUT, old);
        // A part another version left, set aside: scanned, then gone with the control file once the blocks count.
        files.put(OUT + ".part.seed", TransferTest.bytes(5000, 11));
        String kept = DeltaStep.indexPathFor(OUT + ".part", command(cipher, List.of()));
        DownloadId id = DownloadService.idFor(command(cipher, List.of()).sha256(), OUT);
        AtomicReference<Download> atFirstGap = new AtomicReference<>();
        AtomicReference<List<String>> filesAtFirstGap = new AtomicReference<>();
        RangeSource refusing = new RangeSource(served(cipher));
        AtomicInteger answered = new AtomicInteger();
        sources.put(URL.value(), ranged((url, offset, end, validator) -> {
            boolean header = offset == 0 && end != -1 && end <= Math.max(1, cipher.headerBytes());
            if (answered.getAndIncrement() == 0 && header) {
                return refusing.open(url, offset, end, validator);
            }
            if (atFirstGap.get() == null) {
                atFirstGap.set(store.load(id).orElseThrow());
                filesAtFirstGap.set(keptFiles(kept));
            }
            throw SourceException.permanent("HTTP 403 Forbidden");
        }));

        DownloadResult result = download(command(cipher, List.of()));

        assertEquals(Outcome.FAILED, result.outcome(), result.message());
        // As the first gap is asked for, not only once the download ended.
        Download first = atFirstGap.get();
        assertNotNull(first, "a gap was asked for");
        long copied = first.bytesReused().orElseThrow(() -> new AssertionError("no reuse recorded: " + first));
        assertTrue(copied > plain.length / 2, "" + copied);
        assertEquals(copied, first.pieces().present(), "recorded: " + first.pieces());
        assertEquals(copied, first.durablePieces().present(), "synced: " + first.durablePieces());
        assertEquals(List.of(), filesAtFirstGap.get(), "the control file and the part set aside are gone");
        Download state = store.load(id).orElseThrow();
        long reused = state.bytesReused().orElseThrow(() -> new AssertionError(result.message() + " "
                + listener.messages() + " " + state));
        assertTrue(reused > plain.length / 2, "" + reused);
        assertTrue(state.piecewise(), "gaps: a run after a crash trusts only the ranges named");
        assertEquals(reused, state.pieces().present(), state.pieces().toString());
        assertEquals(reused, state.durablePieces().present(), "synced: " + state.durablePieces());
        if (cipher.headerBytes() > 0) {
            assertEquals(Optional.of(refusing.etag()), state.validator().map(v -> v.tag()), "the header's answer");
            assertTrue(state.header().isPresent());
        }
        assertFalse(files.exists(OUT + ".part.seed"));
    }

    @Test
    void aSeedGivenIsUsedWithTheOutputAndAMissingOneIsSaidAndSkipped() throws Exception {
        RangeSource artifact = publish(CipherName.AES_256_CTR);
        files.put(OUT, Arrays.copyOf(old, 100_000));
        files.put("/data/old-tail.bin", Arrays.copyOfRange(old, 100_000, old.length));

        DownloadResult result = download(command(CipherName.AES_256_CTR, List.of("/data/old-tail.bin",
                "/data/nothing.bin")));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertTrue(fetched(artifact) <= NEW_BYTES + 8 * BLOCK + 16, fetched(artifact) + " fetched");
        assertTrue(listener.messages().stream().anyMatch(m -> m.equals("delta: the seed /data/nothing.bin is not a "
                + "file; going on without it")), listener.messages().toString());
        assertTrue(listener.messages().stream().anyMatch(m -> m.contains(" found in 2 seeds in ")),
                listener.messages().toString());
    }

    @Test
    void withoutASeedTheControlFileIsNotEvenFetched() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);

        DownloadResult result = download(command(CipherName.NONE, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(0, indexRequests.get());
        assertEquals(plain.length, fetched(artifact));
        assertEquals(OptionalLong.of(0), result.status().bytesReused());
        assertTrue(listener.messages().contains("delta: no seed to take blocks from: fetching the artifact whole"));
    }

    @ParameterizedTest
    @EnumSource(value = CipherName.class, names = {"NONE", "AES_256_GCM", "AES_256_CBC"})
    void aControlFileThatCannotBeUsedIsANoticeAndTheArtifactComesWhole(CipherName cipher) throws Exception {
        RangeSource artifact = publish(cipher);
        byte[] index = index(plain, cipher);
        // Damaged: GCM's tag and CBC's padding fail, the plain file is cut short.
        index[index.length - 1] ^= 1;
        sources.put(INDEX.value(), new RangeSource(cipher == CipherName.NONE
                ? Arrays.copyOf(index, index.length - 1) : index));
        files.put(OUT, old);

        DownloadResult result = download(command(cipher, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        // Whole: a CBC piece asks for the 16 bytes before it too.
        assertTrue(fetched(artifact) >= served(cipher).length && fetched(artifact) <= served(cipher).length * 101 / 100,
                fetched(artifact) + " fetched");
        assertEquals(OptionalLong.of(0), result.status().bytesReused());
        assertTrue(listener.messages().stream().anyMatch(m -> m.startsWith("the delta index " + INDEX.redacted()
                + " cannot be used (") && m.endsWith("): fetching the artifact whole")), listener.messages().toString());
        assertFalse(files.exists(DeltaStep.indexPathFor(OUT + ".part", command(cipher, List.of()))),
                "a control file that cannot be used is not kept");
    }

    @Test
    void aDownloadThatEndsWithoutADeltaCleansUpWhatAnEarlierRunKept() throws Exception {
        publish(CipherName.NONE);
        DownloadCommand whole = command(CipherName.NONE, List.of()).withDelta(Optional.empty());
        files.put(DeltaStep.indexPathFor(OUT + ".part", whole), new byte[10]);
        files.put(OUT + ".part.seed", new byte[10]);

        DownloadResult result = download(whole);

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(java.util.Set.of(OUT), files.paths(), "nothing left beside the output");
    }

    @Test
    void aDeltaDroppedLeavesNothingBehindEvenBeforeTheWholeArtifactArrives() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);
        files.put(OUT, old);
        DownloadCommand command = command(CipherName.NONE, List.of());
        String kept = DeltaStep.indexPathFor(OUT + ".part", command);
        // A kept control file that cannot be used, and a part an earlier version left.
        files.put(kept, "not a control file".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        files.put(OUT + ".part.seed", TransferTest.bytes(5000, 12));
        AtomicReference<List<String>> left = new AtomicReference<>();
        sources.put(URL.value(), ranged((url, offset, end, validator) -> {
            left.compareAndSet(null, keptFiles(kept));
            return end == -1 ? artifact.open(url, offset, validator) : artifact.open(url, offset, end, validator);
        }));

        DownloadResult result = download(command);

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertEquals(List.of(), left.get(), "gone before the first byte of the artifact was asked for");
        assertEquals(OptionalLong.of(0), state().bytesReused(), "not tried again");
        assertEquals(plain.length, fetched(artifact), "fetched whole");
    }

    /** A control file of {@code length} bytes of zeros, in blocks of {@code BLOCK}. */
    private static ZsyncIndex indexOfLength(int length) {
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(BLOCK);
        byte[] zeros = new byte[length];
        for (int at = 0; at < length; at += BLOCK) {
            writer.block(zeros, at, Math.min(BLOCK, length - at));
        }
        return ZsyncIndex.parse(writer.finish("m", "m", null, "0".repeat(40)));
    }

    @Test
    void aControlFileFitsOnlyTheServedSizesItsCipherMakesOfItsLength() {
        ZsyncIndex index = indexOfLength(1000);
        // none: the plaintext itself; GCM: a 12-byte nonce and a 16-byte tag; CTR: a 16-byte IV; CBC: a 16-byte IV
        // and 1 to 16 bytes of padding.
        Map<CipherName, List<Long>> fitting = Map.of(
                CipherName.NONE, List.of(1000L),
                CipherName.AES_256_GCM, List.of(1028L),
                CipherName.AES_256_CTR, List.of(1016L),
                // any size here: whether a CBC artifact's size is whole blocks is checked before
                CipherName.AES_256_CBC, java.util.stream.LongStream.rangeClosed(1017, 1032).boxed().toList());
        for (CipherName cipher : CipherName.values()) {
            for (long served = 990; served < 1045; served++) {
                long size = served;
                if (fitting.get(cipher).contains(served)) {
                    assertDoesNotThrow(() -> DeltaStep.checkFits(index, cipher, size), cipher + " " + served);
                } else {
                    ZsyncIndex.FormatException e = assertThrows(ZsyncIndex.FormatException.class,
                            () -> DeltaStep.checkFits(index, cipher, size), cipher + " " + served);
                    long body = served - cipher.headerBytes() - cipher.trailerBytes();
                    String holds = cipher == CipherName.AES_256_CBC ? (body - 16) + " to " + (body - 1) : "" + body;
                    assertEquals("it describes 1000 bytes, but an artifact of " + served + " served bytes holds "
                            + holds, e.getMessage());
                }
            }
        }
    }

    @Test
    void theBlocksAPartHoldsAreThoseItsRangesCoverWhole() {
        // Ten blocks, the last of 500 bytes.
        ZsyncIndex index = indexOfLength(9 * BLOCK + 500);
        assertEquals(java.util.BitSet.valueOf(new long[] {0b1}), present(index, 0, BLOCK));
        assertEquals(new java.util.BitSet(), present(index, 0, BLOCK - 1));
        assertEquals(java.util.BitSet.valueOf(new long[] {0b10}), present(index, 1, 2 * BLOCK));
        assertEquals(java.util.BitSet.valueOf(new long[] {0b1110}), present(index, BLOCK, 4 * BLOCK + 10));
        assertEquals(java.util.BitSet.valueOf(new long[] {1L << 9}), present(index, 9 * BLOCK, 9 * BLOCK + 500));
        assertEquals(java.util.BitSet.valueOf(new long[] {0b11 | 0b11 << 5}),
                DeltaStep.present(index, dev.skyloader.domain.PieceMap.of(List.of(
                        new dev.skyloader.domain.PieceMap.Range(0, 2 * BLOCK),
                        new dev.skyloader.domain.PieceMap.Range(5 * BLOCK, 7 * BLOCK + 1000)))));
        assertEquals(new java.util.BitSet(), present(index, 9 * BLOCK, 9 * BLOCK + 499));
        assertEquals(java.util.BitSet.valueOf(new long[] {0b1111111111}), present(index, 0, 9 * BLOCK + 500));
    }

    private static java.util.BitSet present(ZsyncIndex index, long start, long end) {
        return DeltaStep.present(index, dev.skyloader.domain.PieceMap.of(List.of(
                new dev.skyloader.domain.PieceMap.Range(start, end))));
    }

    @Test
    void aControlFileOfAnotherLengthIsRefusedBeforeAnyBlockIsCopied() throws Exception {
        RangeSource artifact = publish(CipherName.AES_256_GCM);
        sources.put(INDEX.value(), new RangeSource(index(old, CipherName.AES_256_GCM)));
        files.put(OUT, old);

        DownloadResult result = download(command(CipherName.AES_256_GCM, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        int served = served(CipherName.AES_256_GCM).length;
        assertEquals(served, fetched(artifact));
        assertTrue(listener.messages().stream().anyMatch(m -> m.contains("it describes " + old.length
                + " bytes, but an artifact of " + served + " served bytes holds "
                + plain.length)), listener.messages().toString());
    }

    @Test
    void aMissingControlFileIsANoticeAndNotTriedAgain() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);
        sources.remove(INDEX.value());
        files.put(OUT, old);

        DownloadResult result = download(command(CipherName.NONE, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(plain.length, fetched(artifact));
        assertEquals(OptionalLong.of(0), result.status().bytesReused());
        assertEquals(1, indexRequests.get());
    }

    @Test
    void aTransientFailureOfTheControlFileFailsTheAttemptAndTheNextOneTriesTheDeltaAgain() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);
        RangeSource index = new RangeSource(index(plain, CipherName.NONE));
        index.refuseFirst(1, SourceException.transientError("connection refused", null));
        sources.put(INDEX.value(), index);
        files.put(OUT, old);

        DownloadResult result = download(command(CipherName.NONE, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(2, indexRequests.get());
        assertTrue(fetched(artifact) <= NEW_BYTES + 6 * BLOCK, fetched(artifact) + " fetched");
        assertTrue(listener.messages().stream().anyMatch(m -> m.startsWith("cannot fetch the delta index ")
                && m.contains("connection refused") && !m.contains("whole")), listener.messages().toString());
    }

    @Test
    void aTransientFailureOfTheHeaderFailsTheAttemptAndTheControlFileIsKeptForTheNext() throws Exception {
        RangeSource artifact = publish(CipherName.AES_256_GCM);
        artifact.refuseFirst(1, SourceException.transientError("connection reset", null));
        files.put(OUT, old);

        DownloadResult result = download(command(CipherName.AES_256_GCM, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertEquals(1, indexRequests.get(), "kept between the attempts");
        assertTrue(listener.messages().stream().anyMatch(m -> m.startsWith("delta: cannot fetch the artifact's "
                + "header (")), listener.messages().toString());
        assertTrue(fetched(artifact) <= NEW_BYTES + 6 * BLOCK + 12 + 32, fetched(artifact) + " fetched");
    }

    @Test
    void aDeltaWhoseResultIsWrongIsDroppedAndTheArtifactFetchedWholeOnce() throws Exception {
        RangeSource artifact = publish(CipherName.AES_256_CTR);
        // The control file of the old version: blocks match, the result is the old file, its SHA-256 is wrong.
        byte[] lying = Arrays.copyOf(old, plain.length);
        sources.put(INDEX.value(), new RangeSource(index(lying, CipherName.AES_256_CTR)));
        files.put(OUT, old);

        DownloadResult result = download(command(CipherName.AES_256_CTR, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertEquals(1, result.status().restarts());
        assertEquals(OptionalLong.of(0), result.status().bytesReused());
        assertEquals(1, indexRequests.get(), "not tried again after the restart");
        assertTrue(fetched(artifact) <= served(CipherName.AES_256_CTR).length + plain.length - old.length + 6 * BLOCK + 16,
                fetched(artifact) + " fetched");
    }

    @Test
    void blocksThePartHoldsAlreadyAreNotCopiedAgain() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);
        files.put(OUT, old);
        // An earlier run without a delta fetched the first 40,000 bytes.
        DownloadCommand whole = command(CipherName.NONE, List.of()).withDelta(Optional.empty());
        artifact.dropAfter(0, 40_000).budget(1);
        download(whole.withRetries(whole.backoff(), OptionalInt.of(1), 1).withConnections(1));
        long before = fetched(artifact);
        assertTrue(before >= 40_000, "" + before);

        RangeSource again = publish(CipherName.NONE);
        DownloadResult result = download(command(CipherName.NONE, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertTrue(fetched(again) <= NEW_BYTES + 6 * BLOCK, fetched(again) + " fetched");
    }

    @Test
    void theDeltaIsDueOnlyOnceAndNotAfterARestart() throws Exception {
        publish(CipherName.NONE);
        DownloadCommand command = command(CipherName.NONE, List.of());
        Download fresh = Download.create(new DownloadId("d"), URL, command.sha256(), command.expectedSize(),
                CipherName.NONE, OUT, OUT + ".part", clock.instant());
        assertTrue(DeltaStep.due(fresh, command));
        assertFalse(DeltaStep.due(fresh, command.withDelta(Optional.empty())));
        Download tried = Download.create(new DownloadId("d"), URL, command.sha256(), command.expectedSize(),
                CipherName.NONE, OUT, OUT + ".part", clock.instant());
        tried.recordReuse(0, clock.instant());
        assertFalse(DeltaStep.due(tried, command));
    }

    /**
     * The device was fetching another version into the same output when this one came: that part file, which the
     * state of this download does not claim, is a seed, not something to cut.
     */
    @Test
    void aPartFileOfAnotherVersionIsASeed() throws Exception {
        RangeSource artifact = publish(CipherName.AES_256_GCM);
        files.put(OUT + ".part", Arrays.copyOf(old, 120_000));
        files.put("/data/old-tail.bin", Arrays.copyOfRange(old, 120_000, old.length));

        DownloadResult result = download(command(CipherName.AES_256_GCM, List.of("/data/old-tail.bin")));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertTrue(fetched(artifact) <= NEW_BYTES + 8 * BLOCK + 12 + 32, fetched(artifact) + " fetched");
        assertFalse(files.exists(OUT + ".part.seed"), "the part set aside is gone once the delta ran");
        assertTrue(listener.messages().stream().anyMatch(m -> m.contains(" found in 2 seeds in ")),
                listener.messages().toString());
    }

    @Test
    void aPartFileThisDownloadClaimsIsNotSetAside() throws Exception {
        publish(CipherName.NONE);
        DownloadCommand command = command(CipherName.NONE, List.of());
        Journal journal = new Journal(Download.create(new DownloadId("d"), URL, command.sha256(),
                command.expectedSize(), CipherName.NONE, OUT, OUT + ".part", clock.instant()), store, clock);
        files.put(OUT + ".part", new byte[100]);
        journal.change((d, now) -> {
            d.startAttempt(now);
            d.recordProgress(100, now);
        });

        DeltaStep.setAsideUnclaimedPart(files, journal, command, OUT + ".part");

        assertTrue(files.exists(OUT + ".part"));
        assertFalse(files.exists(OUT + ".part.seed"));
        journal.change((d, now) -> d.restartFromZero("test", now));
        DeltaStep.setAsideUnclaimedPart(files, journal, command, OUT + ".part");
        assertArrayEquals(new byte[100], files.content(OUT + ".part.seed"), "unclaimed now: set aside");
        DeltaStep.setAsideUnclaimedPart(files, journal, command.withDelta(Optional.empty()), OUT + ".part.seed");
        assertTrue(files.exists(OUT + ".part.seed"), "no delta, nothing set aside");
    }

    @Test
    void aControlFileThatFailsWhileTheArtifactsSourceAnswersIsGivenUpForAWholeDownload() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);
        RangeSource index = new RangeSource(index(plain, CipherName.NONE));
        index.refuseFirst(100, SourceException.transientError("HTTP 503 Service Unavailable", null));
        sources.put(INDEX.value(), index);
        probeAnswers = true;
        files.put(OUT, old);

        DownloadResult result = download(command(CipherName.NONE, List.of()));

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertEquals(1, indexRequests.get(), "not asked again: the artifact's source answers, the index's does not");
        assertEquals(plain.length, fetched(artifact));
        assertEquals(OptionalLong.of(0), result.status().bytesReused());
        assertTrue(listener.messages().stream().anyMatch(m -> m.contains("HTTP 503")
                && m.endsWith(": fetching the artifact whole")), listener.messages().toString());
    }

    @Test
    void autoFindsTheControlFileBesideTheMirrorAnAttemptUses() throws Exception {
        SourceUrl mirror = new SourceUrl("https://mirror.example/m/model.bin?sig=abc");
        byte[] served = served(CipherName.AES_256_GCM);
        RangeSource fromMirror = new RangeSource(served);
        sources.put(mirror.value(), fromMirror);
        // The primary is down: neither its artifact nor its control file answers.
        SourceException down = SourceException.transientError("connection refused", null);
        sources.put(URL.value(), new RangeSource(served).refuseFirst(1000, down));
        sources.put(INDEX.value(), new RangeSource(new byte[1]).refuseFirst(1000, down));
        sources.put("https://mirror.example/m/model.bin.zsync", new RangeSource(index(plain, CipherName.AES_256_GCM)));
        files.put(OUT, old);
        DownloadCommand command = command(CipherName.AES_256_GCM, List.of())
                .withDelta(Optional.of(DownloadCommand.Delta.beside(URL, List.of())))
                .withMirrors(List.of(mirror));

        DownloadResult result = download(command);

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertTrue(fetched(fromMirror) <= NEW_BYTES + 6 * BLOCK + 12 + 32, fetched(fromMirror) + " fetched");
        assertTrue(result.status().bytesReused().orElseThrow() > plain.length / 2);
    }

    @Test
    void withoutASizeTheFirstBytesTellItAndAControlFileOfAnotherLengthIsRefused() throws Exception {
        RangeSource artifact = publish(CipherName.NONE);
        sources.put(INDEX.value(), new RangeSource(index(old, CipherName.NONE)));
        files.put(OUT, old);
        DownloadCommand unsized = new DownloadCommand(URL, List.of(), new Sha256(Sha256Digest.hexOf(plain)),
                OptionalLong.empty(), CipherName.NONE, Optional.empty(), OUT,
                new BackoffPolicy(List.of(Duration.ofSeconds(1)), 0), OptionalInt.of(3), 1, listener, 2,
                Optional.of(new DownloadCommand.Delta(INDEX, List.of())));

        DownloadResult result = download(unsized);

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(plain, files.content(OUT));
        assertTrue(fetched(artifact) <= plain.length + 1, fetched(artifact) + " fetched");
        assertEquals(0, result.status().restarts(), "refused before any block was copied");
        assertTrue(listener.messages().stream().anyMatch(m -> m.contains("it describes " + old.length
                + " bytes, but an artifact of " + plain.length + " served bytes holds " + plain.length)),
                listener.messages().toString());
    }

    /** Two blocks found between two gaps are fetched with them: one request instead of two, for 2 KiB. */
    @Test
    void aSmallIslandOfReusedBlocksBetweenTwoGapsIsFetchedWithThem() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(old, 0, 51_200);                              // blocks 0-49
        out.write(TransferTest.bytes(2048, 21), 0, 2048);      // blocks 50-51: new
        out.write(old, 100_000, 2048);                          // blocks 52-53: an island found in the seed
        out.write(TransferTest.bytes(2048, 22), 0, 2048);      // blocks 54-55: new
        out.write(old, 120_000, 80_000);
        byte[] edited = out.toByteArray();
        RangeSource artifact = new RangeSource(edited);
        sources.put(URL.value(), artifact);
        sources.put(INDEX.value(), new RangeSource(index(edited, CipherName.NONE)));
        files.put(OUT, old);
        DownloadCommand command = new DownloadCommand(URL, List.of(), new Sha256(Sha256Digest.hexOf(edited)),
                OptionalLong.of(edited.length), CipherName.NONE, Optional.empty(), OUT,
                new BackoffPolicy(List.of(Duration.ofSeconds(1)), 0), OptionalInt.of(3), 1, listener, 1,
                Optional.of(new DownloadCommand.Delta(INDEX, List.of())));

        DownloadResult result = download(command);

        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(edited, files.content(OUT));
        assertEquals(List.of(List.of(51_200L, 51_200L + 3 * 2048)), artifact.requests().stream()
                .map(r -> List.of(r.offset(), r.end())).toList(), "one request for both gaps and the island");
        assertEquals(edited.length - 3 * 2048, result.status().bytesReused().orElseThrow(),
                "the island counts as fetched");
    }
}
