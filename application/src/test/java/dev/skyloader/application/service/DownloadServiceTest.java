package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeBootId;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.ScriptedSource;
import dev.skyloader.application.fakes.ScriptedSource.Corrupt;
import dev.skyloader.application.fakes.ScriptedSource.DropAt;
import dev.skyloader.application.fakes.ScriptedSource.Fail;
import dev.skyloader.application.fakes.ScriptedSource.IgnoreRange;
import dev.skyloader.application.fakes.ScriptedSource.Request;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.Throttle;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DownloadServiceTest {
    private static final String OUT = "/data/model.bin";
    private static final String PART = OUT + ".part";
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin?X-Amz-Signature=secret");
    private static final int SIZE = 1_000_000;

    private final byte[] content = bytes(SIZE, 1);
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore files = new InMemoryFileStore();
    private final InMemoryLocks locks = new InMemoryLocks();
    private final FakeBootId boot = new FakeBootId();
    private HostHealth hosts = HostHealth.ALWAYS_AVAILABLE;
    private TransferSettings settings = TransferSettings.DEFAULT.withCheckpointBytes(64 * 1024)
            .withProbeInterval(Duration.ZERO);

    private DownloadService service(ArtifactSource source) {
        return new DownloadService(source, store, locks, files, hosts, new Sha256Digest(), new XorCipher(), clock,
                sleeper, new SplittableRandom(7), boot, Throttle.UNLIMITED, settings);
    }

    private DownloadCommand plain() {
        return DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(content)), OptionalLong.of(SIZE),
                CipherName.NONE, Optional.empty(), OUT);
    }

    private Download stored() {
        return store.load(DownloadService.idFor(new Sha256(Sha256Digest.hexOf(content)), OUT)).orElseThrow();
    }

    @Test
    void downloadsVerifiesAndPutsThePlainArtifactInPlace() throws Exception {
        ScriptedSource source = new ScriptedSource(content);
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(content, files.content(OUT));
        assertFalse(files.exists(PART));
        assertEquals(DownloadState.COMPLETE, stored().state());
        assertEquals(List.of(new Request(0, Optional.empty())), source.requests());
    }

    @Test
    void resumesFromLastByteReceivedAfterConnectionDrop() throws Exception {
        long cut = SIZE * 6L / 10;
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(cut));
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(content, files.content(OUT));
        assertEquals(List.of(0L, cut), source.requests().stream().map(Request::offset).toList());
        assertEquals(Optional.of(source.etag()), source.requests().get(1).validator());
        assertEquals(SIZE, source.bytesServed(), "no byte fetched twice");
        assertEquals(List.of(), sleeper.sleeps(), "a connection that delivered bytes is resumed at once");
    }

    @Test
    void shaMismatchDeletesThePartFileAndRestartsFromByteZero() throws Exception {
        ScriptedSource source = new ScriptedSource(content).then(new Corrupt(1234));
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(content, files.content(OUT));
        assertEquals(List.of(0L, 0L), source.requests().stream().map(Request::offset).toList());
        assertEquals(Optional.empty(), source.requests().get(1).validator());
        assertEquals(1, stored().restarts());
        // The state shows the restart: a document after verification that has zero bytes and the mismatch.
        assertTrue(store.history().stream().anyMatch(d -> d.state() == DownloadState.DOWNLOADING
                && d.bytesDownloaded() == 0 && d.restarts() == 1
                && d.lastError().orElse("").contains("SHA-256 mismatch")));
    }

    @Test
    void shaMismatchFailsForGoodOnceRestartsRunOutNamingBothDigests() throws Exception {
        ScriptedSource source = new ScriptedSource(content).then(new Corrupt(1), new Corrupt(2), new Corrupt(3));
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains(Sha256Digest.hexOf(content)), result.message());
        assertEquals(3, source.requests().size(), "the first try and two restarts");
        assertFalse(files.exists(OUT), "a wrong artifact is never put in place");
        assertFalse(files.exists(PART));
        assertEquals(DownloadState.FAILED, stored().state());
    }

    @Test
    void aNewInstanceResumesWhereTheStateSaysTheLastOneStopped() throws Exception {
        long cut = SIZE * 4L / 10;
        ScriptedSource failing = new ScriptedSource(content).then(new DropAt(cut));
        failing.thenFailTransiently(100);
        settings = settings.withReconnectDelays(List.of());
        DownloadResult first = service(failing).download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2));
        assertEquals(Outcome.NOT_FINISHED, first.outcome(), first.message());
        assertEquals(cut, stored().bytesDownloaded());
        assertEquals(DownloadState.PAUSED, stored().state());

        ScriptedSource healthy = new ScriptedSource(content);
        DownloadResult second = service(healthy).download(plain());
        assertEquals(Outcome.COMPLETE, second.outcome(), second.message());
        assertEquals(cut, healthy.requests().get(0).offset());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void consecutiveFailuresWaitOneFiveFifteenMinutesOneHourFourHoursFourHours() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        ScriptedSource source = new ScriptedSource(content).thenFailTransiently(6);
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        DownloadResult result = service(source).download(command);
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1),
                Duration.ofHours(4), Duration.ofHours(4)), sleeper.sleeps());
    }

    @Test
    void anAttemptThatMovedBytesResetsTheSchedule() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        ScriptedSource source = new ScriptedSource(content).thenFailTransiently(3).then(new DropAt(1000));
        source.thenFailTransiently(2);
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        assertEquals(Outcome.COMPLETE, service(source).download(command).outcome());
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofMinutes(1), Duration.ofMinutes(5)), sleeper.sleeps());
    }

    @Test
    void quickReconnectsComeBeforeTheLongSchedule() throws Exception {
        ScriptedSource source = new ScriptedSource(content).thenFailTransiently(6);
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        assertEquals(Outcome.COMPLETE, service(source).download(command).outcome());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(15), Duration.ofMinutes(1)), sleeper.sleeps());
    }

    @Test
    void aKickEndsALongWaitAtOnce() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        sleeper.kickDuring(2);
        ScriptedSource source = new ScriptedSource(content).thenFailTransiently(2);
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        assertEquals(Outcome.COMPLETE, service(source).download(command).outcome());
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofSeconds(1)), sleeper.sleeps(),
                "the 5-minute wait ended after a second");
        assertEquals(3, source.requests().size());
    }

    @Test
    void aProbeThatIsAnsweredEndsALongWaitEarlyAndProbesAreBoundedInRate() throws Exception {
        settings = settings.withReconnectDelays(List.of()).withProbeInterval(Duration.ofSeconds(30));
        // The 1 min, 5 min, 15 min and 1 h waits see 1 + 9 + 29 + 119 probes refused; the 4-hour wait sees ten more,
        // then one answered.
        Boolean[] answers = new Boolean[158 + 11];
        java.util.Arrays.fill(answers, false);
        answers[answers.length - 1] = true;
        ScriptedSource source = new ScriptedSource(content).thenFailTransiently(5).probesAnswer(answers);
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        assertEquals(Outcome.COMPLETE, service(source).download(command).outcome());
        assertTrue(sleeper.sleeps().stream().allMatch(d -> d.compareTo(Duration.ofSeconds(30)) <= 0),
                "waits are cut into 30-second slices, one probe each at most");
        assertEquals(Duration.ofMinutes(81).plusSeconds(11 * 30), sleeper.total(),
                "1m + 5m + 15m + 1h, then 5.5 minutes of the 4-hour wait");
        assertEquals(169, source.probes());
        assertEquals(6, source.requests().size());
    }

    @Test
    void attemptsRunningOutKeepsTheStateAndSaysNotFinished() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(5000)).thenFailTransiently(10);
        DownloadResult result = service(source).download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(3), 2));
        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertTrue(result.message().contains("5000 bytes kept"), result.message());
        assertEquals(2, sleeper.sleeps().size(), "no wait after the last allowed attempt");
        Download download = stored();
        assertEquals(DownloadState.PAUSED, download.state());
        assertEquals(5000, download.bytesDownloaded());
        assertEquals(3, download.attempts());
        assertTrue(download.nextAttemptAt().isPresent());
    }

    @Test
    void retryAfterFromTheServerIsHonouredUpToTheLongestStep() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        ScriptedSource source = new ScriptedSource(content).then(
                new Fail(new SourceException(SourceException.Kind.TRANSIENT, "503", Duration.ofMinutes(7), null)),
                new Fail(new SourceException(SourceException.Kind.TRANSIENT, "429", Duration.ofDays(2), null)));
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        assertEquals(Outcome.COMPLETE, service(source).download(command).outcome());
        assertEquals(List.of(Duration.ofMinutes(7), Duration.ofHours(4)), sleeper.sleeps());
    }

    @Test
    void aServerThatSaysWhenToComeBackGetsNoQuickReconnects() throws Exception {
        ScriptedSource source = new ScriptedSource(content).then(
                new Fail(new SourceException(SourceException.Kind.TRANSIENT, "429", Duration.ofSeconds(90), null)));
        DownloadCommand command = plain().withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
        assertEquals(Outcome.COMPLETE, service(source).download(command).outcome());
        assertEquals(List.of(Duration.ofSeconds(90)), sleeper.sleeps());
    }

    @Test
    void aPermanentErrorFailsAtOnce() throws Exception {
        ScriptedSource source = new ScriptedSource(content)
                .then(new Fail(SourceException.permanent("https://cdn.example/model.bin: 404 Not Found")));
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("404"));
        assertEquals(List.of(), sleeper.sleeps());
        assertEquals(DownloadState.FAILED, stored().state());
    }

    @Test
    void anExpiredPresignedUrlPausesKeepingEveryByteAndAFreshUrlContinues() throws Exception {
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(600_000),
                new Fail(SourceException.denied("https://cdn.example/model.bin: HTTP 403 Forbidden")));
        DownloadResult paused = service(source).download(plain());
        assertEquals(Outcome.NOT_FINISHED, paused.outcome());
        assertTrue(paused.message().contains("fresh URL") && paused.message().contains("600000 bytes kept"),
                paused.message());
        assertEquals(List.of(), sleeper.sleeps(), "an expired URL is not retried on the schedule");
        Download download = stored();
        assertEquals(DownloadState.PAUSED, download.state());
        assertEquals(600_000, download.bytesDownloaded());
        assertEquals(0, download.attempts());

        SourceUrl fresh = new SourceUrl("https://cdn.example/model.bin?X-Amz-Signature=fresh");
        DownloadCommand again = DownloadCommand.of(fresh, new Sha256(Sha256Digest.hexOf(content)),
                OptionalLong.of(SIZE), CipherName.NONE, Optional.empty(), OUT);
        DownloadResult done = service(source).download(again);
        assertEquals(Outcome.COMPLETE, done.outcome(), done.message());
        assertEquals(600_000, source.requests().get(2).offset());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void accessDeniedOnTheFirstRequestFails() throws Exception {
        ScriptedSource source = new ScriptedSource(content)
                .then(new Fail(SourceException.denied("https://cdn.example/model.bin: HTTP 403 Forbidden")));
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(DownloadState.FAILED, stored().state());
    }

    @Test
    void notEnoughDiskSpaceStopsBeforeAByteIsFetched() throws Exception {
        files.capacity(SIZE + (64L << 20) - 1);
        ScriptedSource source = new ScriptedSource(content);
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertTrue(result.message().startsWith("not enough disk space"), result.message());
        assertEquals(List.of(), source.requests());
        assertEquals(DownloadState.PAUSED, stored().state());
    }

    @Test
    void anArtifactLargerThanTheWholeFileSystemFailsForGoodBeforeAByteIsFetched() throws Exception {
        files.capacity(SIZE - 1);
        ScriptedSource source = new ScriptedSource(content);
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals("the artifact is " + SIZE + " bytes, more than the whole file system of /data/model.bin holds ("
                + (SIZE - 1) + " bytes)", result.message());
        assertEquals(List.of(), source.requests());
        assertEquals(DownloadState.FAILED, stored().state());
    }

    @Test
    void withoutASizeTheSizeTheServerTellsIsCheckedBeforeTheBodyAndTheDownloadGoesOnOnceThereIsRoom()
            throws Exception {
        files.put("/data/other", new byte[SIZE / 2]);
        files.capacity(SIZE);
        ScriptedSource source = new ScriptedSource(content);
        DownloadCommand unsized = DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(content)),
                OptionalLong.empty(), CipherName.NONE, Optional.empty(), OUT);
        DownloadResult result = service(source).download(unsized);
        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertTrue(result.message().startsWith("not enough disk space for " + PART + ": the server says the artifact"
                + " is " + SIZE + " bytes; "), result.message());
        assertTrue(result.message().endsWith(" free; free some space and run again"), result.message());
        Download download = stored();
        assertEquals(DownloadState.PAUSED, download.state());
        assertEquals(0, download.bytesDownloaded(), "no byte of the body was taken");

        files.delete("/data/other");
        files.capacity(SIZE + (64L << 20));
        DownloadResult done = service(source).download(unsized);
        assertEquals(Outcome.COMPLETE, done.outcome(), done.message());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aSourceThatFailsIsLeftForAMirrorThatResumesAtTheSameOffset() throws Exception {
        ScriptedSource primary = new ScriptedSource(content).then(new DropAt(400_000)).thenFailTransiently(3);
        ScriptedSource mirror = new ScriptedSource(content);
        DownloadResult result = service(route(primary, mirror)).download(plain().withMirrors(List.of(MIRROR)));
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(content, files.content(OUT));
        assertEquals(new Request(400_000, Optional.empty()), mirror.requests().get(0),
                "the mirror resumes at the same offset, without the primary's ETag");
        assertEquals(List.of(), sleeper.sleeps(), "no waiting while another source works");
        assertEquals(SIZE, primary.bytesServed() + mirror.bytesServed(), "no byte fetched twice");
    }

    @Test
    void aSourceThatFailsForGoodIsDroppedAndTheDownloadFailsOnlyWhenAllHave() throws Exception {
        ScriptedSource primary = new ScriptedSource(content)
                .then(new Fail(SourceException.permanent("https://cdn.example/model.bin: HTTP 404")));
        ScriptedSource mirror = new ScriptedSource(content);
        assertEquals(Outcome.COMPLETE, service(route(primary, mirror)).download(plain().withMirrors(List.of(MIRROR)))
                .outcome());

        InMemoryFileStore other = new InMemoryFileStore();
        ScriptedSource gone = new ScriptedSource(content)
                .then(new Fail(SourceException.permanent("https://cdn.example/model.bin: HTTP 404")));
        ScriptedSource alsoGone = new ScriptedSource(content)
                .then(new Fail(SourceException.permanent("https://mirror.example/model.bin: HTTP 410")));
        DownloadResult failed = new DownloadService(route(gone, alsoGone), new InMemoryStateStore(), locks, other,
                hosts, new Sha256Digest(), new XorCipher(), clock, sleeper, new SplittableRandom(7), boot,
                Throttle.UNLIMITED, settings)
                .download(plain().withMirrors(List.of(MIRROR)));
        assertEquals(Outcome.FAILED, failed.outcome());
        assertTrue(failed.message().contains("every source failed") && failed.message().contains("404")
                && failed.message().contains("410"), failed.message());
    }

    @Test
    void aHostBeingSkippedIsPassedOverForTheMirror() throws Exception {
        hosts = new HostHealth() {
            @Override
            public boolean available(String origin) {
                return !origin.equals("https://cdn.example");
            }

            @Override
            public void succeeded(String origin) {
            }

            @Override
            public void failed(String origin) {
            }
        };
        ScriptedSource primary = new ScriptedSource(content);
        ScriptedSource mirror = new ScriptedSource(content);
        assertEquals(Outcome.COMPLETE, service(route(primary, mirror)).download(plain().withMirrors(List.of(MIRROR)))
                .outcome());
        assertEquals(List.of(), primary.requests());
        assertEquals(1, mirror.requests().size());
    }

    @Test
    void aServerIgnoringRangeMakesItStartOverWithoutSplicing() throws Exception {
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(300_000), new IgnoreRange());
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void anObjectChangedBetweenAttemptsIsFetchedAfreshNeverSpliced() throws Exception {
        byte[] newer = bytes(SIZE, 2);
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(500_000)).thenFailTransiently(1);
        settings = settings.withReconnectDelays(List.of());
        DownloadCommand command = DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(newer)), OptionalLong.of(SIZE),
                CipherName.NONE, Optional.empty(), OUT).withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 0);
        DownloadResult first = service(source).download(command);
        assertEquals(Outcome.NOT_FINISHED, first.outcome(), first.message());
        source.replace(newer);
        DownloadResult second = service(source).download(command);
        assertEquals(Outcome.COMPLETE, second.outcome(), second.message());
        assertArrayEquals(newer, files.content(OUT));
        assertEquals(new Request(500_000, Optional.of("\"v" + Integer.toHexString(java.util.Arrays.hashCode(content)) + "\"")),
                source.requests().get(2), "resume asked with the old validator");
        Download download = store.load(DownloadService.idFor(new Sha256(Sha256Digest.hexOf(newer)), OUT)).orElseThrow();
        assertEquals(0, download.restarts(), "a changed object is not a verification failure");
    }

    @Test
    void aRemoteOfTheWrongSizeFailsBeforeItsBodyIsRead() throws Exception {
        ScriptedSource source = new ScriptedSource(bytes(SIZE + 1, 1));
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("expected to be " + SIZE), result.message());
        assertFalse(files.exists(PART), "not a byte written, no part file left");
    }

    @Test
    void aPartFileShorterThanTheStateClaimsResumesFromWhatIsThere() throws Exception {
        ScriptedSource failing = new ScriptedSource(content).then(new DropAt(400_000)).thenFailTransiently(5);
        settings = settings.withReconnectDelays(List.of());
        service(failing).download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2));
        files.put(PART, java.util.Arrays.copyOf(content, 100_000));

        ScriptedSource healthy = new ScriptedSource(content);
        assertEquals(Outcome.COMPLETE, service(healthy).download(plain()).outcome());
        assertEquals(100_000, healthy.requests().get(0).offset());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void afterAPowerLossBytesBeyondTheLastSyncAreNotTrusted() throws Exception {
        ScriptedSource failing = new ScriptedSource(content).then(new DropAt(400_000)).thenFailTransiently(5);
        settings = settings.withReconnectDelays(List.of());
        service(failing).download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2));
        assertEquals(400_000, stored().bytesDurable(), "a run that stops syncs what it wrote");
        boot.reboot();
        byte[] garbage = java.util.Arrays.copyOf(content, 450_000);
        java.util.Arrays.fill(garbage, 400_000, 450_000, (byte) 0);
        files.put(PART, garbage);

        ScriptedSource healthy = new ScriptedSource(content);
        assertEquals(Outcome.COMPLETE, service(healthy).download(plain()).outcome());
        assertEquals(400_000, healthy.requests().get(0).offset());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void decryptsWithTheKeyAndAWrongKeyLeavesNoOutputButKeepsTheVerifiedBytes() throws Exception {
        AesKey right = AesKey.of(filled(7));
        AesKey wrong = AesKey.of(filled(9));
        byte[] ciphertext = XorCipher.encrypt(CipherName.AES_256_GCM, right, content);
        Sha256 sha = new Sha256(Sha256Digest.hexOf(ciphertext));
        DownloadCommand withWrongKey = DownloadCommand.of(URL, sha, OptionalLong.of(ciphertext.length),
                CipherName.AES_256_GCM, Optional.of(wrong), OUT);
        ScriptedSource source = new ScriptedSource(ciphertext);

        DownloadResult failed = service(source).download(withWrongKey);
        assertEquals(Outcome.FAILED, failed.outcome());
        assertTrue(failed.message().startsWith("decryption failed"), failed.message());
        assertFalse(files.exists(OUT));
        assertEquals(List.of(PART), List.copyOf(files.paths()), "no plaintext left behind");
        assertArrayEquals(ciphertext, files.content(PART), "the part holds the served bytes again");

        DownloadCommand withRightKey = DownloadCommand.of(URL, sha, OptionalLong.of(ciphertext.length),
                CipherName.AES_256_GCM, Optional.of(right), OUT);
        DownloadResult done = service(source).download(withRightKey);
        assertEquals(Outcome.COMPLETE, done.outcome(), done.message());
        assertArrayEquals(content, files.content(OUT));
        assertEquals(1, source.requests().size(), "the verified ciphertext was not fetched again");
    }

    @Test
    void runningACompleteDownloadAgainFetchesNothing() throws Exception {
        ScriptedSource source = new ScriptedSource(content);
        service(source).download(plain());
        DownloadResult again = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, again.outcome());
        assertEquals(1, source.requests().size());
    }

    @Test
    void progressIsMonotonicAndReachesTheTotal() throws Exception {
        List<Long> seen = new ArrayList<>();
        List<DownloadState> states = new ArrayList<>();
        DownloadListener listener = new DownloadListener() {
            @Override
            public void progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
                seen.add(bytes);
                states.add(state);
                assertEquals(OptionalLong.of(SIZE), total);
            }
        };
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(123_456));
        service(source).download(plain().withListener(listener));
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "progress went back at " + i);
        }
        assertEquals(SIZE, seen.get(seen.size() - 1));
        assertEquals(DownloadState.COMPLETE, states.get(states.size() - 1));
    }

    @Test
    void theStateNeverCallsMoreBytesDurableThanWrittenAndEndsWithAllDurable() throws Exception {
        ScriptedSource source = new ScriptedSource(content).then(new DropAt(300_000));
        service(source).download(plain());
        long lastDurable = 0;
        for (Download d : store.history()) {
            assertTrue(d.bytesDurable() <= d.bytesDownloaded(), d.bytesDurable() + " > " + d.bytesDownloaded());
            if (d.restarts() == 0) {
                assertTrue(d.bytesDurable() >= lastDurable, "the durable mark went back");
                lastDurable = d.bytesDurable();
            }
        }
        assertEquals(SIZE, lastDurable);
    }

    @Test
    void aDownloadHeldByAnotherProcessIsLeftAloneAndSaysWho() throws Exception {
        DownloadId id = DownloadService.idFor(new Sha256(Sha256Digest.hexOf(content)), OUT);
        locks.holdFor(id);
        ScriptedSource source = new ScriptedSource(content);
        DownloadResult result = service(source).download(plain());
        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertTrue(result.message().contains("another skyloader process (pid 4242)"), result.message());
        assertEquals(List.of(), source.requests());
        assertTrue(store.history().isEmpty(), "no state written");
        assertFalse(files.exists(PART));
    }

    @Test
    void theLockIsReleasedWhenTheRunEnds() throws Exception {
        service(new ScriptedSource(content)).download(plain());
        assertFalse(locks.isHeld(DownloadService.idFor(new Sha256(Sha256Digest.hexOf(content)), OUT)));
    }

    @Test
    void theStateNeverHoldsThePresignedSignature() throws Exception {
        service(new ScriptedSource(content)).download(plain());
        for (Download d : store.history()) {
            assertEquals("https://cdn.example/model.bin", d.url());
        }
    }

    @Test
    void aResumedRunSendsItsFirstRequestBeforeTheVerifierHasReReadTheBytesAlreadyHere() throws Exception {
        ScriptedSource failing = new ScriptedSource(content).then(new DropAt(600_000)).thenFailTransiently(5);
        settings = settings.withReconnectDelays(List.of());
        service(failing).download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2));

        java.util.concurrent.CountDownLatch verifierHeld = new java.util.concurrent.CountDownLatch(1);
        files.holdReads(verifierHeld);
        ScriptedSource healthy = new ScriptedSource(content);
        boolean[] requestedWhileHeld = new boolean[1];
        ArtifactSource watching = (url, offset, validator) -> {
            requestedWhileHeld[0] = verifierHeld.getCount() == 1;
            verifierHeld.countDown();
            return healthy.open(url, offset, validator);
        };
        DownloadResult result = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> service(watching).download(plain()));
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertTrue(requestedWhileHeld[0], "the first request did not wait for the re-hash of the kept prefix");
        assertEquals(600_000, healthy.requests().get(0).offset());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aCrashOfTheProcessAloneCostsNothingThatReachedThePartFile() throws Exception {
        settings = settings.withCheckpointBytes(10_000_000);
        ScriptedSource source = new ScriptedSource(content);
        crashAt(source, 700_001);
        assertEquals(0, stored().bytesDurable(), "no sync was due yet");
        assertTrue(stored().bytesDownloaded() < 700_001, "the state lags the part file, as after a kill");
        ScriptedSource again = new ScriptedSource(content);
        assertEquals(Outcome.COMPLETE, service(again).download(plain()).outcome());
        assertEquals(700_001, again.requests().get(0).offset(), "the same boot: every byte written counts");
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aPowerLossOfAnEncryptedDownloadResumesFromTheLastSyncAndEndsByteExact() throws Exception {
        Encrypted artifact = encrypted(CipherName.AES_256_GCM, 7);
        byte[] served = artifact.served();
        DownloadCommand command = artifact.command();
        // Writes of 256 KiB: one sync is due at 512 KiB of part, none after it before the crash at 900,000.
        settings = settings.withCheckpointBytes(500_000);
        crashAt(new ScriptedSource(served), 900_000, command);
        files.powerLoss();
        boot.reboot();
        Download before = store.load(DownloadService.idFor(command.sha256(), OUT)).orElseThrow();
        assertEquals(12 + (512 << 10), before.bytesDurable(), "the nonce and the part up to the one sync");

        ScriptedSource again = new ScriptedSource(served);
        DownloadResult result = service(again).download(command);
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(before.bytesDurable(), again.requests().get(0).offset(), "only the synced bytes count");
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aCbcDownloadCutMidBlockResumesOnABlockBoundaryAskingForTheBlockBeforeIt() throws Exception {
        Encrypted artifact = encrypted(CipherName.AES_256_CBC, 5);
        byte[] served = artifact.served();
        DownloadCommand command = artifact.command();
        long cut = 16 + 100_005;
        ScriptedSource source = new ScriptedSource(served).then(new DropAt(cut));
        DownloadResult result = service(source).download(command);
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        long kept = 100_005 - 100_005 % 16;
        assertEquals(List.of(0L, 16 + kept - 16), source.requests().stream().map(Request::offset).toList());
        assertArrayEquals(content, files.content(OUT), "padding removed, every block right");
        assertEquals(served.length + 16 + (cut - 16 - kept), source.bytesServed(),
                "one chaining block and the unfinished one fetched again, nothing more");
    }

    @Test
    void aPartLeftInTheServedBytesByThePreviousReleaseIsDecryptedAndResumed() throws Exception {
        AesKey key = AesKey.of(filled(7));
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, key, content);
        Sha256 sha = new Sha256(Sha256Digest.hexOf(served));
        DownloadId id = DownloadService.idFor(sha, OUT);
        // What schema 1 left: the served bytes themselves, all synced, no boot id, no header in the state.
        files.put(PART, java.util.Arrays.copyOf(served, 400_000));
        store.save(Download.builder().id(id).url(URL.redacted()).expectedSha256(sha)
                .expectedSize(OptionalLong.of(served.length)).cipher(CipherName.AES_256_GCM).outputPath(OUT)
                .partPath(PART).createdAt(clock.instant()).state(DownloadState.DOWNLOADING).bytesDownloaded(400_000)
                .partEncoding(dev.skyloader.domain.PartEncoding.SERVED).build());

        ScriptedSource source = new ScriptedSource(served);
        DownloadResult result = service(source).download(DownloadCommand.of(URL, sha, OptionalLong.of(served.length),
                CipherName.AES_256_GCM, Optional.of(key), OUT));
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(List.of(400_000L), source.requests().stream().map(Request::offset).toList());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aKillBetweenTheRenameAndTheLastStateWriteCostsNoSecondDownload() throws Exception {
        service(new ScriptedSource(content)).download(plain());
        Download done = stored();
        // As if the process died right after the rename: the record still says the part is being placed.
        store.save(InMemoryStateStore.copyAs(done, DownloadState.DECRYPTING, SIZE));

        ScriptedSource source = new ScriptedSource(content);
        DownloadResult again = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, again.outcome(), again.message());
        assertEquals(List.of(), source.requests(), "nothing fetched again");
        assertEquals(DownloadState.COMPLETE, stored().state());
    }

    @Test
    void anOutputOfAnotherSizeIsNotTakenForThePlacedOne() throws Exception {
        service(new ScriptedSource(content)).download(plain());
        store.save(InMemoryStateStore.copyAs(stored(), DownloadState.DECRYPTING, SIZE));
        files.put(OUT, new byte[10]);

        ScriptedSource source = new ScriptedSource(content);
        assertEquals(Outcome.COMPLETE, service(source).download(plain()).outcome());
        assertEquals(1, source.requests().size(), "downloaded again");
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void noSecondFileIsEverWrittenForAnEncryptedArtifact() throws Exception {
        AesKey key = AesKey.of(filled(7));
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, key, content);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        DownloadListener watcher = new DownloadListener() {
            @Override
            public void progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
                seen.addAll(files.paths());
            }
        };
        DownloadResult result = service(new ScriptedSource(served)).download(DownloadCommand.of(URL,
                new Sha256(Sha256Digest.hexOf(served)), OptionalLong.of(served.length), CipherName.AES_256_GCM,
                Optional.of(key), OUT).withListener(watcher));
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        seen.addAll(files.paths());
        assertEquals(java.util.Set.of(PART, OUT), seen, "the part file, renamed into the output");
    }

    @Test
    void aConnectionLostInsideTheNonceCountsNothingAndTheNextAsksFromByteZero() throws Exception {
        Encrypted artifact = encrypted(CipherName.AES_256_GCM, 7);
        byte[] served = artifact.served();
        DownloadCommand command = artifact.command();
        ScriptedSource source = new ScriptedSource(served).then(new DropAt(5));
        settings = settings.withReconnectDelays(List.of(Duration.ofSeconds(1)));
        DownloadResult result = service(source).download(command);
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        assertEquals(List.of(0L, 0L), source.requests().stream().map(Request::offset).toList());
        for (Download d : store.history()) {
            assertTrue(d.bytesDownloaded() == 0 || d.header().isPresent(), "bytes counted without a header: " + d);
        }
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void aDownloadThatFailsBeforeItsFirstByteLeavesNoPartFile() throws Exception {
        ScriptedSource source = new ScriptedSource(content)
                .then(new Fail(SourceException.permanent("https://cdn.example/model.bin: HTTP 404")));
        assertEquals(Outcome.FAILED, service(source).download(plain()).outcome());
        assertEquals(java.util.Set.of(), files.paths());
    }

    @Test
    void anArtifactTooShortForItsCipherFailsAtOnceWithoutRetrying() throws Exception {
        byte[] tooShort = bytes(10, 3);
        DownloadCommand command = DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(tooShort)),
                OptionalLong.empty(), CipherName.AES_256_CTR, Optional.of(AesKey.of(filled(7))), OUT);
        ScriptedSource source = new ScriptedSource(tooShort);
        DownloadResult result = service(source).download(command);
        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("10 bytes are too short for aes-256-ctr"), result.message());
        assertEquals(1, source.requests().size());
        assertEquals(List.of(), sleeper.sleeps());
    }

    @Test
    void aCompleteOutputChangedSinceIsDownloadedAgain() throws Exception {
        ScriptedSource source = new ScriptedSource(content);
        service(source).download(plain());
        files.put(OUT, java.util.Arrays.copyOf(content, 100));
        DownloadResult again = service(source).download(plain());
        assertEquals(Outcome.COMPLETE, again.outcome(), again.message());
        assertEquals(2, source.requests().size());
        assertArrayEquals(content, files.content(OUT));
    }

    /** {@link #content} as served under {@code cipher} with a key of {@code keyByte}s, and the command that fetches it. */
    private record Encrypted(byte[] served, DownloadCommand command) {
    }

    private Encrypted encrypted(CipherName cipher, int keyByte) {
        AesKey key = AesKey.of(filled(keyByte));
        byte[] served = XorCipher.encrypt(cipher, key, content);
        return new Encrypted(served, DownloadCommand.of(URL, new Sha256(Sha256Digest.hexOf(served)),
                OptionalLong.of(served.length), cipher, Optional.of(key), OUT));
    }

    /** Runs the download until the source's body reaches {@code position}, then dies as a killed process does. */
    private void crashAt(ScriptedSource source, long position) throws Exception {
        crashAt(source, position, plain());
    }

    private void crashAt(ScriptedSource source, long position, DownloadCommand command) {
        ArtifactSource dying = (url, offset, validator) -> {
            var body = source.open(url, offset, validator);
            var in = body.body();
            long[] at = {body.offset()};
            var crashing = new java.io.FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    if (at[0] >= position) {
                        throw new ProcessDied();
                    }
                    int n = super.read(b, off, (int) Math.min(len, position - at[0]));
                    at[0] += Math.max(0, n);
                    return n;
                }
            };
            return new dev.skyloader.application.port.out.RemoteBody(body.offset(), body.totalSize(),
                    body.validator(), crashing);
        };
        assertThrows(ProcessDied.class, () -> service(dying).download(command));
    }

    /** Stands for SIGKILL: nothing after it runs but the finally blocks, which a real kill would not run either. */
    private static final class ProcessDied extends RuntimeException {
    }

    private static final SourceUrl MIRROR = new SourceUrl("https://mirror.example/model.bin");

    /** Sends the CDN's URL to one source and the mirror's to another. */
    private static ArtifactSource route(ScriptedSource primary, ScriptedSource mirror) {
        return (url, offset, validator) -> (url.origin().equals("https://cdn.example") ? primary : mirror)
                .open(url, offset, validator);
    }

    static byte[] bytes(int size, int seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] filled(int value) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) value);
        return key;
    }
}
