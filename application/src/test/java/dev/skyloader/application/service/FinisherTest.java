package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Throttle;
import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingHosts;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingListener.Progress;
import dev.skyloader.application.fakes.ScriptedSource;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.TrackingFileStore;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FinisherTest {
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin");
    private static final String OUT = "/data/model.bin";
    private static final String PART = OUT + ".part";
    private static final DownloadId ID = new DownloadId("finisher-test");
    private static final AesKey KEY = AesKey.of(TransferTest.filled(9));
    // Differs from KEY in a high bit, so that the toy cipher cannot turn a CBC padding into another valid one.
    private static final AesKey WRONG_KEY = AesKey.of(TransferTest.filled(0x49));

    private final FakeClock clock = new FakeClock();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore memory = new InMemoryFileStore();
    private final TrackingFileStore files = new TrackingFileStore(memory);
    private final RecordingListener listener = new RecordingListener();
    private final TransferSettings settings = TransferSettings.DEFAULT.withCheckpointBytes(1L << 30);
    private final byte[] plain = TransferTest.bytes(500, 1);
    private Journal journal;
    private Part part;

    @AfterEach
    void closePart() {
        if (part != null) {
            part.close();
        }
    }

    /**
     * A finisher for a part that received {@code received} (the served bytes of an artifact whose SHA-256 is that of
     * {@code expected}), decrypted under {@code key}.
     */
    private Finisher finisher(CipherName cipher, Optional<AesKey> key, byte[] expected, byte[] received,
                              int maxRestarts) throws Exception {
        Download d = Download.create(ID, URL, new Sha256(Sha256Digest.hexOf(expected)),
                OptionalLong.of(expected.length), cipher, OUT, PART, clock.instant());
        journal = new Journal(d, store, clock);
        journal.change((download, now) -> download.startAttempt(now));
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), cipher, key, settings);
        part.open(0);
        Transfer transfer = new Transfer(new ScriptedSource(received), new RecordingHosts(), journal, part, cipher,
                OptionalLong.of(received.length), listener, 64, Throttle.UNLIMITED);
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));
        return new Finisher(journal, part, files, new PartConversion(files, new XorCipher(), 64), cipher, key,
                maxRestarts, 100, listener);
    }

    private Finisher plainFinisher(byte[] expected, byte[] received, int maxRestarts) throws Exception {
        return finisher(CipherName.NONE, Optional.empty(), expected, received, maxRestarts);
    }

    private List<DownloadState> progressStates() {
        return listener.progress().stream().map(Progress::state).filter(s -> s != DownloadState.DOWNLOADING)
                .toList();
    }

    private static DownloadResult done(Finisher.Ending ending) {
        return assertInstanceOf(Finisher.Done.class, ending).result();
    }

    @Test
    void thereIsRoomWhenTheDiskHoldsTheRestAndTheMarginExactly() throws Exception {
        Download d = Download.builder().id(ID).url(URL.value()).expectedSha256(new Sha256("00".repeat(32)))
                .expectedSize(OptionalLong.of(1000)).outputPath(OUT).partPath(PART).createdAt(clock.instant())
                .state(DownloadState.DOWNLOADING).bytesDownloaded(400).build();
        journal = new Journal(d, store, clock);
        memory.put(PART, new byte[400]);
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), CipherName.NONE, Optional.empty(),
                settings);
        Finisher finisher = new Finisher(journal, part, files, new PartConversion(files, new XorCipher(), 64),
                CipherName.NONE, Optional.empty(), 2, 100, listener);

        memory.capacity(400 + 700); // the part's 400 bytes, and 700 free
        assertNull(finisher.pauseUnlessRoom());

        memory.capacity(400 + 699);
        DownloadResult paused = finisher.pauseUnlessRoom();
        assertEquals(Outcome.NOT_FINISHED, paused.outcome());
        assertEquals("not enough disk space for " + OUT + ": 700 bytes needed (the rest of the download and a"
                + " margin), 699 free; free some space and run again", paused.message());
        assertEquals(DownloadState.PAUSED, journal.read(Download::state));
    }

    @Test
    void anArtifactOfUnknownSizeIsNeverPausedForRoom() throws Exception {
        Download d = Download.create(ID, URL, new Sha256("00".repeat(32)), OptionalLong.empty(), CipherName.NONE, OUT,
                PART, clock.instant());
        journal = new Journal(d, store, clock);
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), CipherName.NONE, Optional.empty(),
                settings);
        memory.capacity(0);
        assertNull(new Finisher(journal, part, files, new PartConversion(files, new XorCipher(), 64),
                CipherName.NONE, Optional.empty(), 2, 100, listener).pauseUnlessRoom());
    }

    @Test
    void aVerifiedPlainPartIsPutInPlaceReportingVerifyingThenComplete() throws Exception {
        DownloadResult result = done(plainFinisher(plain, plain, 2).finish());

        assertEquals(Outcome.COMPLETE, result.outcome());
        assertEquals("complete: " + OUT, result.message());
        assertArrayEquals(plain, memory.content(OUT));
        assertFalse(memory.exists(PART));
        assertEquals(DownloadState.COMPLETE, journal.read(Download::state));
        assertEquals(List.of(DownloadState.VERIFYING, DownloadState.COMPLETE), progressStates());
        assertEquals(new Progress(ID, DownloadState.COMPLETE, 500, OptionalLong.of(500)),
                listener.progress().get(listener.progress().size() - 1));
    }

    @Test
    void anEncryptedPartAlsoReportsDecryptingBeforeItIsPlaced() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_CTR, KEY, plain);
        DownloadResult result = done(finisher(CipherName.AES_256_CTR, Optional.of(KEY), served, served, 2).finish());

        assertEquals(Outcome.COMPLETE, result.outcome());
        assertArrayEquals(plain, memory.content(OUT));
        assertEquals(List.of(DownloadState.VERIFYING, DownloadState.DECRYPTING, DownloadState.COMPLETE),
                progressStates());
        assertTrue(listener.progress().stream().allMatch(p -> p.id().equals(ID)));
    }

    @Test
    void aMismatchWithRestartsLeftEmptiesThePartAndSaysWhy() throws Exception {
        byte[] wrong = plain.clone();
        wrong[7] ^= 1;
        Finisher.Ending ending = plainFinisher(plain, wrong, 1).finish();

        assertInstanceOf(Finisher.Again.class, ending);
        assertEquals(1, listener.notices().size());
        assertEquals(ID, listener.notices().get(0).id());
        assertTrue(listener.messages().get(0).startsWith("SHA-256 mismatch"), listener.messages().get(0));
        assertEquals(0, memory.content(PART).length);
        assertEquals(0, part.size());
        assertEquals(DownloadState.DOWNLOADING, journal.read(Download::state));
        assertFalse(memory.exists(OUT));
    }

    @Test
    void aMismatchWithNoRestartLeftFailsAndDeletesThePart() throws Exception {
        byte[] wrong = plain.clone();
        wrong[7] ^= 1;
        DownloadResult result = done(plainFinisher(plain, wrong, 0).finish());

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().startsWith("SHA-256 mismatch"), result.message());
        assertFalse(memory.exists(PART));
        assertFalse(memory.exists(OUT));
        assertEquals(List.of(), listener.notices());
    }

    @Test
    void aGcmTagThatFailsUnderTheKeyKeepsTheServedBytesAndBlamesTheKey() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        DownloadResult result = done(finisher(CipherName.AES_256_GCM, Optional.of(WRONG_KEY), served, served, 2)
                .finish());

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals("decryption failed: the authentication tag does not match, although the SHA-256 of the download"
                + " matched: wrong key (the verified download is kept: run again with the right key)",
                result.message());
        assertWrongKeyKeptTheServedBytes(served);
    }

    @Test
    void aCbcPaddingThatFailsUnderTheKeyKeepsTheServedBytesAndBlamesTheKey() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_CBC, KEY, plain);
        DownloadResult result = done(finisher(CipherName.AES_256_CBC, Optional.of(WRONG_KEY), served, served, 2)
                .finish());

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().startsWith("decryption failed: the padding is not valid, although"),
                result.message());
        assertWrongKeyKeptTheServedBytes(served);
    }

    private void assertWrongKeyKeptTheServedBytes(byte[] served) throws IOException {
        assertArrayEquals(served, memory.content(PART));
        assertFalse(memory.exists(OUT));
        assertEquals(DownloadState.FAILED, journal.read(Download::state));
        assertEquals(PartEncoding.SERVED, journal.read(Download::partEncoding));
        assertEquals(DownloadState.FAILED, store.load(ID).orElseThrow().state());
        List<String> events = files.events();
        assertTrue(events.indexOf("close " + PART) < events.lastIndexOf("open " + PART),
                "the part is closed before it is rewritten: " + events);
        assertEquals(Arrays.asList(), events.stream().filter(e -> e.startsWith("move")).toList());
    }
}
