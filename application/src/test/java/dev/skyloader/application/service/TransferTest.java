package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Throttle;
import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.AnswerSource;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingHosts;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingListener.Progress;
import dev.skyloader.application.fakes.ScriptedSource;
import dev.skyloader.application.fakes.ScriptedSource.DropAt;
import dev.skyloader.application.fakes.ScriptedSource.IgnoreRange;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import dev.skyloader.domain.Validator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransferTest {
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin?sig=secret");
    private static final String WHERE = "https://cdn.example/model.bin";
    private static final String OUT = "/data/model.bin";
    private static final String PART = OUT + ".part";
    private static final DownloadId ID = new DownloadId("transfer-test");
    private static final AesKey KEY = AesKey.of(filled(9));

    private final FakeClock clock = new FakeClock();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore files = new InMemoryFileStore();
    private final RecordingListener listener = new RecordingListener();
    private final RecordingHosts hosts = new RecordingHosts();
    // The fake clock stands still and a batch is 1 GiB: no background sync runs in these tests.
    private final TransferSettings settings = TransferSettings.DEFAULT.withCheckpointBytes(1L << 30);
    private Journal journal;
    private Part part;

    @AfterEach
    void closePart() {
        if (part != null) {
            part.close();
        }
    }

    private Transfer transfer(ArtifactSource source, CipherName cipher, OptionalLong size, byte[] served)
            throws IOException {
        Download d = Download.create(ID, URL, new Sha256(Sha256Digest.hexOf(served)), size, cipher, OUT, PART,
                clock.instant());
        journal = new Journal(d, store, clock);
        journal.change((download, now) -> download.startAttempt(now));
        part = new Part(files, PART, journal, new Sha256Digest(), new XorCipher(), cipher,
                cipher.needsKey() ? Optional.of(KEY) : Optional.empty(), settings);
        part.open(0);
        return new Transfer(source, hosts, journal, part, cipher, size, listener, 64, throttle);
    }

    private Throttle throttle = Throttle.UNLIMITED;

    private Transfer plainTransfer(ArtifactSource source, byte[] content) throws IOException {
        return transfer(source, CipherName.NONE, OptionalLong.of(content.length), content);
    }

    private static SourceException error(Transfer.Outcome outcome) {
        return assertInstanceOf(Transfer.Interrupted.class, outcome).error();
    }

    private static RemoteBody body(long offset, OptionalLong total, String validator, byte[] bytes) {
        return new RemoteBody(offset, total, Optional.ofNullable(validator), new ByteArrayInputStream(bytes));
    }

    @Test
    void everyByteReceivedIsSpentFromTheRateBudgetAsItArrives() throws Exception {
        byte[] content = bytes(1000, 1);
        List<Long> spent = new java.util.concurrent.CopyOnWriteArrayList<>();
        throttle = spent::add;
        Transfer transfer = plainTransfer(new ScriptedSource(content), content);

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertEquals(1000, spent.stream().mapToLong(Long::longValue).sum());
        assertTrue(spent.stream().allMatch(n -> n <= 64), "read by read: " + spent);
    }

    @Test
    void theAnswerIsClosedWhenTheTransferEndsWhicheverWay() throws Exception {
        byte[] content = bytes(1000, 1);
        // The first answer is cut after 300 bytes, the second brings the rest; each body says when it is closed.
        ScriptedSource scripted = new ScriptedSource(content).then(new DropAt(300));
        List<Boolean> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
        ArtifactSource source = (url, offset, validator) -> {
            RemoteBody answer = scripted.open(url, offset, validator);
            int which = closed.size();
            closed.add(false);
            return new RemoteBody(answer.offset(), answer.totalSize(), answer.validator(),
                    new java.io.FilterInputStream(answer.body()) {
                        @Override
                        public void close() throws IOException {
                            closed.set(which, true);
                            super.close();
                        }
                    }, answer.end());
        };
        Transfer transfer = plainTransfer(source, content);

        assertInstanceOf(Transfer.Interrupted.class, transfer.fetch(URL));
        assertEquals(List.of(true), closed, "the answer that failed is closed");
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));
        assertEquals(List.of(true, true), closed, "the answer read to its end is closed");
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void withoutAnExpectedSizeTheSizeTheSourceTellsIsRecorded() throws Exception {
        byte[] content = bytes(1000, 1);
        Transfer transfer = transfer(new ScriptedSource(content), CipherName.NONE, OptionalLong.empty(), content);

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertEquals(OptionalLong.of(1000), journal.read(Download::reportedSize));
        assertEquals(OptionalLong.of(1000), store.load(ID).orElseThrow().reportedSize(), "saved");
    }

    @Test
    void fetchesEveryByteIntoThePartReportingProgressAndAHealthyHost() throws Exception {
        byte[] content = bytes(1000, 1);
        Transfer transfer = plainTransfer(new ScriptedSource(content), content);

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertArrayEquals(content, files.content(PART));
        assertEquals(1000, journal.bytes());
        assertEquals(List.of("https://cdn.example"), hosts.successes());
        List<Progress> progress = listener.progress();
        assertEquals(16, progress.size(), "one report per 64-byte read");
        assertEquals(new Progress(ID, DownloadState.DOWNLOADING, 64, OptionalLong.of(1000)), progress.get(0));
        assertEquals(new Progress(ID, DownloadState.DOWNLOADING, 1000, OptionalLong.of(1000)), progress.get(15));
        assertTrue(transfer.hasAllBytes());
    }

    @Test
    void theVerifierFollowsTheBytesAsTheyArrive() throws Exception {
        byte[] content = bytes(1000, 23);
        plainTransfer(new ScriptedSource(content), content).fetch(URL);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            while (part.verifiedBytes() < 1000) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void aPartThatHoldsEveryByteAsksForNothing() throws Exception {
        byte[] content = bytes(100, 2);
        ScriptedSource source = new ScriptedSource(content);
        Transfer transfer = plainTransfer(source, content);
        transfer.fetch(URL);
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));
        assertEquals(1, source.requests().size());
    }

    @Test
    void anEncryptedBodyIsDecryptedOnArrivalAndItsNonceRecorded() throws Exception {
        byte[] plain = bytes(300, 3);
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);
        Transfer transfer = transfer(new ScriptedSource(served), CipherName.AES_256_GCM,
                OptionalLong.of(served.length), served);

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertArrayEquals(plain, Arrays.copyOf(files.content(PART), 300));
        assertEquals(Optional.of(HexFormat.of().formatHex(Arrays.copyOf(served, 12))),
                journal.read(Download::header));
        assertEquals(served.length, journal.bytes());
        Verifier.Verified verified = part.verify();
        assertEquals(new Sha256(Sha256Digest.hexOf(served)), verified.sha256());
        assertTrue(verified.authentic());
    }

    @Test
    void aCbcConnectionLostRightAfterTheIvResumesAtTheFirstBodyByte() throws Exception {
        byte[] plain = bytes(100, 4);
        byte[] served = XorCipher.encrypt(CipherName.AES_256_CBC, KEY, plain);
        ScriptedSource source = new ScriptedSource(served).then(new DropAt(16));
        Transfer transfer = transfer(source, CipherName.AES_256_CBC, OptionalLong.of(served.length), served);

        SourceException lost = error(transfer.fetch(URL));
        assertEquals(WHERE + ": connection lost at byte 16 (IOException: Connection reset)", lost.getMessage());
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertEquals(List.of(0L, 16L), source.requests().stream().map(ScriptedSource.Request::offset).toList());
        assertArrayEquals(plain, Arrays.copyOf(files.content(PART), 100));
    }

    @Test
    void aDroppedConnectionSaysAtWhichByteAndKeepsWhatArrived() throws Exception {
        byte[] content = bytes(1000, 5);
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(600));
        Transfer transfer = plainTransfer(source, content);

        SourceException lost = error(transfer.fetch(URL));

        assertEquals(SourceException.Kind.TRANSIENT, lost.kind());
        assertEquals(WHERE + ": connection lost at byte 600 (IOException: Connection reset)", lost.getMessage());
        assertEquals(600, journal.bytes());
        assertArrayEquals(Arrays.copyOf(content, 600), files.content(PART));
    }

    @Test
    void aLossWithoutAMessageNamesOnlyTheKindOfError() throws Exception {
        byte[] content = bytes(100, 6);
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException();
            }
        };
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> new RemoteBody(0, OptionalLong.of(100), Optional.empty(), failing));
        SourceException lost = error(plainTransfer(source, content).fetch(URL));
        assertEquals(WHERE + ": connection lost at byte 0 (IOException)", lost.getMessage());
    }

    @Test
    void aBodyThatEndsEarlySaysWhereItClosedAndTheResumeAsksFromThere() throws Exception {
        byte[] content = bytes(1000, 7);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(1000), null, Arrays.copyOf(content, 500)),
                (offset, validator) -> body(500, OptionalLong.of(1000), null, Arrays.copyOfRange(content, 500, 1000)));
        Transfer transfer = plainTransfer(source, content);

        SourceException closed = error(transfer.fetch(URL));
        assertEquals(WHERE + ": the connection closed at byte 500 of 1000", closed.getMessage());
        assertEquals(500, journal.bytes());
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertEquals(500, source.requests().get(1).offset());
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void aBodyThatEndsInsideTheNonceCountsNothing() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, bytes(50, 8));
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(served.length), null, Arrays.copyOf(served, 5)));
        Transfer transfer = transfer(source, CipherName.AES_256_GCM, OptionalLong.of(served.length), served);

        SourceException closed = error(transfer.fetch(URL));

        assertEquals(WHERE + ": the connection closed at byte 5 of " + served.length, closed.getMessage());
        assertEquals(Optional.empty(), journal.read(Download::header));
        assertEquals(0, journal.bytes());
    }

    @Test
    void aNewVersionServedWhileOnlyPartOfTheNonceArrivedIsTakenFromByteZero() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, bytes(50, 9));
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(served.length), "v1", Arrays.copyOf(served, 5)),
                (offset, validator) -> body(0, OptionalLong.of(served.length), "v2", served));
        Transfer transfer = transfer(source, CipherName.AES_256_GCM, OptionalLong.of(served.length), served);

        error(transfer.fetch(URL));
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertEquals(Optional.of("v1"), source.requests().get(1).validator());
        assertEquals(Optional.of(new Validator("v2", WHERE)), journal.read(Download::validator));
    }

    @Test
    void anAnswerFromAnotherByteThanAskedIsRefusedBeforeAByteIsWritten() throws Exception {
        byte[] content = bytes(1000, 10);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(1000), null, Arrays.copyOf(content, 500)),
                (offset, validator) -> body(300, OptionalLong.of(1000), null, Arrays.copyOfRange(content, 300, 1000)));
        Transfer transfer = plainTransfer(source, content);
        error(transfer.fetch(URL));

        SourceException refused = error(transfer.fetch(URL));

        assertEquals(SourceException.Kind.TRANSIENT, refused.kind());
        assertEquals(WHERE + ": the source answered from byte 300 when asked for byte 500", refused.getMessage());
        assertArrayEquals(Arrays.copyOf(content, 500), files.content(PART));
    }

    @Test
    void aResumeServedFromAnotherVersionIsRefusedAsChanged() throws Exception {
        byte[] content = bytes(1000, 11);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(1000), "v1", Arrays.copyOf(content, 500)),
                (offset, validator) -> body(500, OptionalLong.of(1000), "v2", Arrays.copyOfRange(content, 500, 1000)));
        Transfer transfer = plainTransfer(source, content);
        error(transfer.fetch(URL));

        SourceException changed = error(transfer.fetch(URL));

        assertEquals(SourceException.Kind.CHANGED, changed.kind());
        assertEquals(WHERE + " changed (validator v1 -> v2)", changed.getMessage());
        assertEquals(Optional.of("v1"), source.requests().get(1).validator());
        assertEquals(500, journal.bytes());
    }

    @Test
    void aResumeWhoseAnswerNamesNoVersionIsTaken() throws Exception {
        byte[] content = bytes(1000, 12);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(1000), "v1", Arrays.copyOf(content, 500)),
                (offset, validator) -> body(500, OptionalLong.of(1000), null, Arrays.copyOfRange(content, 500, 1000)));
        Transfer transfer = plainTransfer(source, content);
        error(transfer.fetch(URL));

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void aResumeFromTheSameVersionWritesTheStateOnceForItsProgress() throws Exception {
        byte[] content = bytes(1000, 13);
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(500));
        Transfer transfer = plainTransfer(source, content);
        error(transfer.fetch(URL));
        int before = store.history().size();

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertEquals(before + 1, store.history().size(), "the validator is already recorded");
    }

    @Test
    void aServerThatSendsTheWholeObjectAgainStartsOverFromByteZeroAndSaysSo() throws Exception {
        byte[] content = bytes(1000, 14);
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(500), new IgnoreRange());
        Transfer transfer = plainTransfer(source, content);
        error(transfer.fetch(URL));

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        String reason = WHERE + ": the server sent the whole object instead of resuming at byte 500 (it ignores"
                + " ranges, or the object changed): starting again from byte 0";
        assertEquals(List.of(reason), listener.messages());
        assertEquals(ID, listener.notices().get(0).id());
        assertEquals(Optional.of(reason), journal.read(Download::lastError));
        assertArrayEquals(content, files.content(PART));
        assertEquals(1000, journal.bytes());
    }

    @Test
    void sourcesThatDisagreeOnTheSizeOfAnArtifactOfUnknownSizeAreNotSpliced() throws Exception {
        byte[] content = bytes(1200, 15);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(1000), null, Arrays.copyOf(content, 500)),
                (offset, validator) -> body(500, OptionalLong.of(1200), null, Arrays.copyOfRange(content, 500, 1200)),
                (offset, validator) -> body(500, OptionalLong.of(1200), null, Arrays.copyOfRange(content, 500, 1200)));
        Transfer transfer = transfer(source, CipherName.NONE, OptionalLong.empty(), content);
        error(transfer.fetch(URL));

        SourceException changed = error(transfer.fetch(URL));

        assertEquals(SourceException.Kind.CHANGED, changed.kind());
        assertEquals(WHERE + " is 1200 bytes, another source said 1000", changed.getMessage());
        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL), "the new size is taken on the next try");
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void aWholeObjectOfAnotherSizeIsTakenFromByteZero() throws Exception {
        byte[] content = bytes(1200, 16);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(1000), null, Arrays.copyOf(bytes(1000, 17), 500)),
                (offset, validator) -> body(0, OptionalLong.of(1200), null, content));
        Transfer transfer = transfer(source, CipherName.NONE, OptionalLong.empty(), content);
        error(transfer.fetch(URL));

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void withNeitherSizeKnownTheBodyIsReadToItsEnd() throws Exception {
        byte[] content = bytes(1000, 18);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.empty(), null, content));
        Transfer transfer = transfer(source, CipherName.NONE, OptionalLong.empty(), content);

        assertInstanceOf(Transfer.AllBytes.class, transfer.fetch(URL));

        assertArrayEquals(content, files.content(PART));
        assertEquals(new Progress(ID, DownloadState.DOWNLOADING, 1000, OptionalLong.empty()),
                listener.progress().get(listener.progress().size() - 1));
    }

    @Test
    void aSourceThatDoesNotKnowTheSizeServesAnArtifactOfKnownSize() throws Exception {
        byte[] content = bytes(1000, 19);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.empty(), null, content));
        assertInstanceOf(Transfer.AllBytes.class, plainTransfer(source, content).fetch(URL));
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void aBodyLongerThanTheArtifactIsReadOnlyToTheArtifactsEnd() throws Exception {
        byte[] content = bytes(1000, 20);
        byte[] longer = Arrays.copyOf(content, 1100);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.empty(), null, longer));
        assertInstanceOf(Transfer.AllBytes.class, plainTransfer(source, content).fetch(URL));
        assertArrayEquals(content, files.content(PART));
    }

    @Test
    void aRemoteOfAnotherSizeThanExpectedFailsForGood() throws Exception {
        byte[] content = bytes(1000, 21);
        AnswerSource source = new AnswerSource().then(
                (offset, validator) -> body(0, OptionalLong.of(999), null, Arrays.copyOf(content, 999)));
        SourceException wrong = error(plainTransfer(source, content).fetch(URL));
        assertEquals(SourceException.Kind.PERMANENT, wrong.kind());
        assertEquals(WHERE + " is 999 bytes, but the artifact is expected to be 1000 bytes", wrong.getMessage());
        assertEquals(0, files.content(PART).length);
    }

    @Test
    void aHostIsCalledHealthyOnceItBringsBytesNotWhenItCutsEveryAnswerBeforeThem() throws Exception {
        byte[] content = bytes(1000, 23);
        Transfer transfer = plainTransfer(new ScriptedSource(content).then(new DropAt(0), new DropAt(300)), content);

        assertInstanceOf(Transfer.Interrupted.class, transfer.fetch(URL));
        assertEquals(List.of(), hosts.successes(), "headers, then a cut before any byte");
        assertInstanceOf(Transfer.Interrupted.class, transfer.fetch(URL));
        assertEquals(List.of("https://cdn.example"), hosts.successes(), "once, for 300 bytes in many reads");
    }

    @Test
    void aRefusedRequestIsHandedBackAndTheHostIsNotCalledHealthy() throws Exception {
        byte[] content = bytes(100, 22);
        SourceException refused = SourceException.transientError("connection refused", null);
        AnswerSource source = new AnswerSource().then((offset, validator) -> {
            throw refused;
        });
        assertSame(refused, error(plainTransfer(source, content).fetch(URL)));
        assertEquals(List.of(), hosts.successes());
    }

    static byte[] bytes(int size, int seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] filled(int value) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) value);
        return key;
    }
}
