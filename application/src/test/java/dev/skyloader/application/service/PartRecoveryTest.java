package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeBootId;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PartRecoveryTest {
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin");
    private static final String OUT = "/data/model.bin";
    private static final String PART = OUT + ".part";
    private static final DownloadId ID = new DownloadId("recovery-test");
    private static final AesKey KEY = AesKey.of(TransferTest.filled(9));

    private final FakeClock clock = new FakeClock();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore files = new InMemoryFileStore();
    private final FakeBootId boot = new FakeBootId();
    private final RecordingListener listener = new RecordingListener();
    private final byte[] plain = TransferTest.bytes(500, 1);
    private Journal journal;
    private Part part;

    @AfterEach
    void closePart() {
        if (part != null) {
            part.close();
        }
    }

    /** Recovers a paused download of {@code cipher} that an earlier run in boot-1 left with these marks. */
    private void recover(CipherName cipher, long size, long written, long durable, String header,
                         PartEncoding encoding) throws Exception {
        recover(paused(cipher, size, header).bytesDownloaded(written).bytesDurable(durable).partEncoding(encoding)
                .build());
    }

    /** As {@link #recover}, for a part of pieces (several connections wrote it). */
    private void recoverPieces(CipherName cipher, long size, PieceMap written, PieceMap durable, String header)
            throws Exception {
        int h = cipher.headerBytes();
        recover(paused(cipher, size, header).bytesDownloaded(h + written.present())
                .bytesDurable((long) h + durable.present()).pieces(written).durablePieces(durable)
                .partEncoding(PartEncoding.PLAIN).build());
    }

    /** A paused download of {@code cipher} that an earlier run in boot-1 left. */
    private Download.Builder paused(CipherName cipher, long size, String header) {
        return Download.builder().id(ID).url(URL.value()).expectedSha256(new Sha256("00".repeat(32)))
                .expectedSize(OptionalLong.of(size)).cipher(cipher).outputPath(OUT).partPath(PART)
                .createdAt(clock.instant()).state(DownloadState.PAUSED).bootId("boot-1").header(header);
    }

    private void recover(Download d) throws Exception {
        journal = new Journal(d, store, clock);
        CipherName cipher = d.cipher();
        Optional<AesKey> key = cipher.needsKey() ? Optional.of(KEY) : Optional.empty();
        TransferSettings settings = TransferSettings.DEFAULT.withCheckpointBytes(1L << 30);
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), cipher, key, settings);
        DownloadCommand command = DownloadCommand.of(URL, d.expectedSha256(), d.expectedSize(), cipher, key, OUT)
                .withListener(listener);
        new PartRecovery(files, new XorCipher(), boot, 64).recover(journal, part, command);
    }

    private static PieceMap ranges(long... bounds) {
        List<PieceMap.Range> list = new java.util.ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            list.add(new PieceMap.Range(bounds[i], bounds[i + 1]));
        }
        return PieceMap.of(list);
    }

    @Test
    void aPartOfPiecesKeepsEveryRangeAfterACrashOfTheProcessAlone() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 300));
        recoverPieces(CipherName.NONE, 500, ranges(0, 100, 200, 300), ranges(0, 100), null);

        assertEquals(ranges(0, 100, 200, 300), part.written());
        assertEquals(ranges(0, 100, 200, 300), journal.read(Download::pieces));
        assertEquals(ranges(0, 100), journal.read(Download::durablePieces));
        assertEquals(List.of(), listener.notices());
        assertTrue(journal.read(Download::piecewise));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (part.verifiedBytes() < 100) {
                Thread.onSpinWait();
            }
        }, "the verifier follows the kept prefix at once");
    }

    @Test
    void aPartOfPiecesKeepsOnlyTheSyncedRangesAfterAnotherBootAndSaysSo() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 300));
        boot.reboot();
        recoverPieces(CipherName.NONE, 500, ranges(0, 100, 200, 300), ranges(0, 50, 200, 260), null);

        assertEquals(ranges(0, 50, 200, 260), part.written());
        assertEquals(ranges(0, 50, 200, 260), journal.read(Download::pieces));
        assertEquals(ranges(0, 50, 200, 260), journal.read(Download::durablePieces));
        assertEquals(List.of("the machine restarted since the last run: keeping the 110 part bytes known to be there,"
                + " of 200 recorded"), listener.messages());
        assertEquals(Optional.of("boot-2"), journal.read(Download::bootId));
        assertTrue(store.load(ID).isEmpty(), "nothing is saved before the first request goes out");
    }

    @Test
    void aPartOfPiecesShorterThanRecordedKeepsWhatIsThereAndSaysSo() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 250));
        recoverPieces(CipherName.NONE, 500, ranges(0, 100, 200, 300), ranges(0, 100), null);

        assertEquals(ranges(0, 100, 200, 250), part.written());
        assertEquals(ranges(0, 100), journal.read(Download::durablePieces));
        assertEquals(List.of("the part file is shorter than recorded: keeping the 150 part bytes known to be there,"
                + " of 200 recorded"), listener.messages());
        assertEquals(Optional.of("boot-1"), journal.read(Download::bootId));
    }

    @Test
    void aCbcPartOfPiecesKeepsEachRangeToItsLastWholeBlock() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_CBC, KEY, plain);
        files.put(PART, Arrays.copyOf(plain, 400));
        recoverPieces(CipherName.AES_256_CBC, served.length, ranges(0, 100, 160, 170, 208, 400),
                ranges(0, 100, 160, 170, 208, 400), hex(served, 16));

        // 100 ends in the seventh block, 170 before the end of the block at 160, 400 is a boundary.
        assertEquals(ranges(0, 96, 208, 400), part.written());
        assertEquals(ranges(0, 96, 208, 400), journal.read(Download::pieces));
        assertEquals(16 + 96 + 192, journal.read(Download::bytesDownloaded));
    }

    private static String hex(byte[] bytes, int length) {
        return HexFormat.of().formatHex(Arrays.copyOf(bytes, length));
    }

    @Test
    void theSameBootTrustsEveryBytePastTheLastSyncAndSaysNothing() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 300));
        recover(CipherName.NONE, 500, 300, 100, null, PartEncoding.PLAIN);

        assertEquals(300, journal.bytes());
        assertEquals(100, journal.read(Download::bytesDurable));
        assertEquals(300, part.size());
        assertEquals(List.of(), listener.notices());
        assertEquals(Optional.of("boot-1"), journal.read(Download::bootId));
    }

    @Test
    void anotherBootTrustsOnlyTheSyncedBytesAndSaysSo() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 300));
        boot.reboot();
        recover(CipherName.NONE, 500, 300, 100, null, PartEncoding.PLAIN);

        assertEquals(100, journal.bytes());
        assertEquals(100, part.size());
        assertEquals(100, files.content(PART).length);
        assertEquals(List.of("the machine restarted since the last run: resuming from byte 100, the last byte known"
                + " to be on disk"), listener.messages());
        assertEquals(ID, listener.notices().get(0).id());
        assertEquals(Optional.of("boot-2"), journal.read(Download::bootId));
        assertTrue(store.load(ID).isEmpty(), "nothing is saved before the first request goes out");
        journal.change((download, now) -> { });
        assertEquals(Optional.of("boot-2"), store.load(ID).orElseThrow().bootId(), "the run's first save has it");
    }

    @Test
    void anotherBootWithEveryByteSyncedHasNothingToSay() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 300));
        boot.reboot();
        recover(CipherName.NONE, 500, 300, 300, null, PartEncoding.PLAIN);

        assertEquals(300, journal.bytes());
        assertEquals(List.of(), listener.notices());
    }

    @Test
    void aPartShorterThanRecordedResumesFromWhatIsThereAndSaysSo() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        files.put(PART, Arrays.copyOf(plain, 100));
        recover(CipherName.AES_256_GCM, served.length, 200, 200, hex(served, 12), PartEncoding.PLAIN);

        assertEquals(112, journal.bytes(), "the nonce and the 100 part bytes");
        assertEquals(100, part.size());
        assertEquals(List.of("the part file holds 112 bytes, fewer than the 200 recorded: resuming from byte 112"),
                listener.messages());
    }

    @Test
    void aPartHoldingExactlyWhatWasRecordedHasNothingToSay() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        files.put(PART, Arrays.copyOf(plain, 100));
        recover(CipherName.AES_256_GCM, served.length, 112, 112, hex(served, 12), PartEncoding.PLAIN);

        assertEquals(112, journal.bytes());
        assertEquals(List.of(), listener.notices());
    }

    @Test
    void aCbcPartIsKeptInWholeBlocksOnly() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_CBC, KEY, plain);
        files.put(PART, Arrays.copyOf(plain, 40));
        recover(CipherName.AES_256_CBC, served.length, 56, 56, hex(served, 16), PartEncoding.PLAIN);

        assertEquals(32, part.size());
        assertEquals(48, journal.bytes(), "the IV and two blocks");
    }

    @Test
    void aCbcPartOfWholeBlocksIsKeptWhole() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_CBC, KEY, plain);
        files.put(PART, Arrays.copyOf(plain, 48));
        recover(CipherName.AES_256_CBC, served.length, 64, 64, hex(served, 16), PartEncoding.PLAIN);

        assertEquals(48, part.size());
        assertEquals(64, journal.bytes());
    }

    @Test
    void withoutTheNonceNothingOfThePartCounts() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        files.put(PART, Arrays.copyOf(plain, 100));
        recover(CipherName.AES_256_GCM, served.length, 0, 0, null, PartEncoding.PLAIN);

        assertEquals(0, journal.bytes());
        assertEquals(0, part.size());
    }

    @Test
    void theKeptPrefixIsReReadByTheVerifierRightAway() throws Exception {
        files.put(PART, Arrays.copyOf(plain, 300));
        recover(CipherName.NONE, 500, 300, 300, null, PartEncoding.PLAIN);

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (part.verifiedBytes() < 300) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void aPartInTheServedBytesIsDecryptedWithThisRunsKeyAndAdopted() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        files.put(PART, Arrays.copyOf(served, 212));
        recover(CipherName.AES_256_GCM, served.length, 300, 300, null, PartEncoding.SERVED);

        assertEquals(List.of("decrypting the 212 bytes already here with this run's key"), listener.messages());
        assertEquals(ID, listener.notices().get(0).id());
        assertEquals(212, journal.bytes());
        assertEquals(212, journal.read(Download::bytesDurable));
        assertEquals(PartEncoding.PLAIN, journal.read(Download::partEncoding));
        assertEquals(Optional.of(hex(served, 12)), journal.read(Download::header));
        assertEquals(200, part.size());
        assertArrayEquals(Arrays.copyOf(plain, 200), files.content(PART));
        assertEquals(PartEncoding.PLAIN, store.load(ID).orElseThrow().partEncoding());
    }

    @Test
    void aServedPartHoldingNoMoreThanTheNonceIsDropped() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        files.put(PART, Arrays.copyOf(served, 12));
        recover(CipherName.AES_256_GCM, served.length, 12, 12, null, PartEncoding.SERVED);

        assertEquals(List.of(), listener.notices());
        assertEquals(0, journal.bytes());
        assertEquals(0, files.content(PART).length);
        assertEquals(Optional.empty(), journal.read(Download::header));
        assertEquals(PartEncoding.PLAIN, journal.read(Download::partEncoding));
        assertEquals(PartEncoding.PLAIN, store.load(ID).orElseThrow().partEncoding());
    }
}
