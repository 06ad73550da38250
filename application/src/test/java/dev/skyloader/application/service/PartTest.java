package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.TrackingFileStore;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PartTest {
    private static final String OUT = "/data/model.bin";
    private static final String PART = OUT + ".part";
    private static final AesKey KEY = AesKey.of(TransferTest.filled(3));

    private final FakeClock clock = new FakeClock();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore memory = new InMemoryFileStore();
    private final TrackingFileStore files = new TrackingFileStore(memory);
    private final byte[] content = TransferTest.bytes(1000, 1);
    private TransferSettings settings = TransferSettings.DEFAULT.withCheckpointBytes(1L << 30);
    private Journal journal;
    private Part part;

    @AfterEach
    void closePart() {
        if (part != null) {
            part.close();
        }
    }

    private Part part(CipherName cipher) throws IOException {
        Download d = Download.create(new DownloadId("part-test"), new SourceUrl("https://cdn.example/model.bin"),
                new Sha256(Sha256Digest.hexOf(content)), OptionalLong.of(5000), cipher, OUT, PART, clock.instant());
        journal = new Journal(d, store, clock);
        journal.change((download, now) -> download.startAttempt(now));
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), cipher,
                cipher.needsKey() ? Optional.of(KEY) : Optional.empty(), settings);
        return part;
    }

    private Part opened() throws IOException {
        Part p = part(CipherName.NONE);
        p.open(0);
        return p;
    }

    private static void awaitVerified(Part p, long bytes) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (p.verifiedBytes() < bytes) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void openingKeepsTheFirstBytesAskedForAndCutsTheRest() throws Exception {
        memory.put(PART, content);
        Part p = part(CipherName.NONE);
        p.open(400);
        assertEquals(400, p.size());
        assertArrayEquals(Arrays.copyOf(content, 400), memory.content(PART));
    }

    @Test
    void openingKeepsNoMoreThanTheFileHolds() throws Exception {
        memory.put(PART, Arrays.copyOf(content, 30));
        Part p = part(CipherName.NONE);
        p.open(400);
        assertEquals(30, p.size());
    }

    @Test
    void anEncryptedPartWhoseNonceIsUnknownStandsForNoServedBytes() throws Exception {
        Part p = part(CipherName.AES_256_GCM);
        p.open(0);
        assertEquals(0, p.servedBytes());
        assertEquals(Optional.empty(), p.header());
        IllegalStateException e = assertThrows(IllegalStateException.class, p::startVerifier);
        assertEquals("no header yet", e.getMessage());

        journal.change((d, now) -> d.recordHeader("00".repeat(12), now));
        p.append(content, 0, 10);
        assertEquals(22, p.servedBytes());
    }

    @Test
    void verifyingWithoutAnEarlierStartHashesEveryByteWritten() throws Exception {
        Part p = opened();
        p.append(content, 0, content.length);
        Verifier.Verified verified = p.verify();
        assertEquals(new Sha256(Sha256Digest.hexOf(content)), verified.sha256());
        assertTrue(verified.authentic());
        assertEquals(1000, verified.plaintextLength());
    }

    @Test
    void appendingNothingWritesNothing() throws Exception {
        Part p = opened();
        p.append(content, 0, 0);
        assertEquals(0, p.size());
        assertEquals(0, memory.content(PART).length);
    }

    @Test
    void theVerifierFollowsTheWritesWhileTheyHappen() throws Exception {
        Part p = opened();
        assertEquals(0, p.verifiedBytes(), "no verifier yet");
        p.startVerifier();
        p.append(content, 0, 300);
        awaitVerified(p, 300);
        p.append(content, 300, 700);
        awaitVerified(p, 1000);
        assertEquals(1000, p.verifiedBytes());
    }

    @Test
    void syncingNowMakesEveryWrittenByteDurableAndSaysSo() throws Exception {
        Part p = opened();
        p.append(content, 0, 600);
        p.recordWritten();
        p.syncNow();
        assertEquals(600, journal.read(Download::bytesDurable));
        memory.powerLoss();
        assertArrayEquals(Arrays.copyOf(content, 600), memory.content(PART));
    }

    /** A background sync that failed (a writeback the disk lost) is never followed by a claim that bytes are safe. */
    @Test
    void afterABackgroundSyncFailedNeitherASyncNowNorAPlacingGoesOn() throws Exception {
        settings = TransferSettings.DEFAULT.withCheckpointBytes(100);
        Part p = opened();
        files.failNextSync(new IOException("writeback lost"));
        p.append(content, 0, 600);
        IOException e = assertThrows(IOException.class, p::syncNow);
        assertTrue(String.valueOf(e.getMessage()).contains("writeback lost")
                || e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains("writeback lost"),
                String.valueOf(e));
        assertEquals(0, journal.read(Download::bytesDurable), "no byte is claimed durable");
        assertThrows(IOException.class, () -> p.place(OUT, 600));
        assertFalse(memory.exists(OUT), "nothing is put in place");
    }

    @Test
    void markingThePartPiecewiseSaysItInTheStateOnce() throws Exception {
        Part p = opened();
        assertFalse(journal.read(Download::piecewise));
        p.markPiecewise();
        assertTrue(journal.read(Download::piecewise));
        assertTrue(store.load(journal.read(Download::id)).orElseThrow().piecewise(), "saved");
        java.time.Instant saved = store.load(journal.read(Download::id)).orElseThrow().updatedAt();
        clock.advance(Duration.ofSeconds(5));
        p.markPiecewise();
        assertEquals(saved, store.load(journal.read(Download::id)).orElseThrow().updatedAt(), "not saved again");
    }

    @Test
    void withGapsTheStateNamesTheRangesWrittenEvery512KiBButNoMoreOftenThanEvery10Ms() throws Exception {
        int half = 512 << 10;
        Download d = Download.create(new DownloadId("gaps"), new SourceUrl("https://cdn.example/model.bin"),
                new Sha256(Sha256Digest.hexOf(content)), OptionalLong.of(8L << 20), CipherName.NONE, OUT, PART,
                clock.instant());
        journal = new Journal(d, store, clock);
        journal.change((download, now) -> download.startAttempt(now));
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), CipherName.NONE,
                Optional.empty(), settings);
        part.open(0);
        part.markPiecewise();
        byte[] block = new byte[half];
        java.util.function.Supplier<String> named = () -> store.load(d.id()).orElseThrow().pieces().toString();

        part.write(1L << 20, block, 0, half - 1);
        assertEquals("PieceMap[]", named.get(), "less than 512 KiB: not yet");
        part.write((1L << 20) + half - 1, block, 0, 1);
        assertEquals("PieceMap[[1048576, 1572864)]", named.get(), "512 KiB: named");

        part.write((1L << 20) + half, block, 0, half);
        assertEquals("PieceMap[[1048576, 1572864)]", named.get(), "512 KiB more, at the same instant: not yet");
        clock.advance(Duration.ofMillis(9));
        part.write(2L << 20, block, 0, half);
        assertEquals("PieceMap[[1048576, 1572864)]", named.get(), "9 ms later: not yet");
        clock.advance(Duration.ofMillis(1));
        part.write((2L << 20) + half, block, 0, 1);
        assertEquals("PieceMap[[1048576, 2621441)]", named.get(), "10 ms after the last: all of it");

        // (Under the syncer's 5 s, whose batch would name every range written.)
        clock.advance(Duration.ofSeconds(1));
        part.write((2L << 20) + half + 1, block, 0, half - 2);
        assertEquals("PieceMap[[1048576, 2621441)]", named.get(), "1 s later but less than 512 KiB: not yet");
    }

    @Test
    void placingCutsSyncsAndClosesThePartBeforeTheRename() throws Exception {
        Part p = opened();
        p.append(content, 0, 1000);
        p.place(OUT, 900);
        assertEquals(List.of("open " + PART, "truncate " + PART + " 0", "truncate " + PART + " 900", "sync " + PART,
                "close " + PART, "move " + PART + " -> " + OUT), files.events());
        assertArrayEquals(Arrays.copyOf(content, 900), memory.content(OUT));
    }

    @Test
    void deletingClosesThePartFirst() throws Exception {
        Part p = opened();
        p.append(content, 0, 100);
        p.delete();
        assertEquals(List.of("close " + PART, "delete " + PART), files.events().subList(2, 4));
        assertFalse(memory.exists(PART));
    }

    @Test
    void aPartNeverOpenedCanStillBeDeleted() throws Exception {
        memory.put(PART, content);
        part(CipherName.NONE).delete();
        assertFalse(memory.exists(PART));
    }

    @Test
    void closingClosesTheFileOnceHoweverOftenItIsCalled() throws Exception {
        Part p = opened();
        p.close();
        p.close();
        assertEquals(List.of("open " + PART, "truncate " + PART + " 0", "close " + PART), files.events());
    }

    @Test
    void cuttingToZeroEmptiesThePartAndTheVerifierStartsOver() throws Exception {
        Part p = opened();
        p.startVerifier();
        byte[] other = TransferTest.bytes(500, 2);
        p.append(other, 0, 500);
        p.cutToZero(() -> { });
        assertEquals(0, p.size());
        assertEquals(0, memory.content(PART).length);
        p.append(content, 0, 1000);
        assertEquals(new Sha256(Sha256Digest.hexOf(content)), p.verify().sha256());
    }

    @Test
    void afterACutToZeroTheSyncerCountsItsBatchesFromZeroAgain() throws Exception {
        settings = settings.withCheckpointBytes(10);
        Part p = opened();
        p.append(content, 0, 100);
        p.cutToZero(() -> { });
        journal.change((d, now) -> d.restartFromZero("changed", now));
        p.append(content, 0, 50);
        p.close(); // waits for the batch
        assertEquals(50, journal.read(Download::bytesDurable));
    }

    @Test
    void aPartDeletedAndOpenedAgainIsVerifiedAfresh() throws Exception {
        Part p = opened();
        p.startVerifier();
        p.append(TransferTest.bytes(100, 9), 0, 100);
        awaitVerified(p, 100);
        p.delete();
        p.open(0);
        p.append(content, 0, 1000);
        assertEquals(new Sha256(Sha256Digest.hexOf(content)), p.verify().sha256());
    }

    @Test
    void closingWhileInterruptedKeepsTheInterruptAndStillClosesTheFile() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Part p = opened();
        files.holdReads(gate);
        p.startVerifier();
        p.append(content, 0, 100);
        files.awaitHeldRead();
        try {
            Thread.currentThread().interrupt();
            p.close();
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        } finally {
            gate.countDown();
        }
        assertTrue(files.events().contains("close " + PART));
    }

    @Test
    void knowsItsPathAndFile() throws Exception {
        Part p = opened();
        assertEquals(PART, p.path());
        assertNotNull(p.file());
        p.file().write(0, new byte[]{1}, 0, 1);
        assertEquals(1, memory.content(PART).length);
    }
}
