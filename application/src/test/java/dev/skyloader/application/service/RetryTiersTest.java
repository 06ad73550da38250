package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingListener.Notice;
import dev.skyloader.application.fakes.RecordingListener.Waiting;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.ScriptedSource;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryTiersTest {
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin?sig=secret");
    private static final BackoffPolicy BACKOFF = BackoffPolicy.DEFAULT.withJitter(0);
    private static final SourceException REFUSED = SourceException.transientError("connection refused", null);

    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingListener listener = new RecordingListener();
    private final ScriptedSource source = new ScriptedSource(new byte[10]);
    private final Download download = Download.create(new DownloadId("tiers"), URL, new Sha256("01".repeat(32)),
            OptionalLong.of(10), CipherName.NONE, "/data/model.bin", "/data/model.bin.part", clock.instant());
    private final Journal journal = new Journal(download, store, clock);

    private RetryTiers tiers(List<Duration> quick, Duration probeInterval, OptionalInt maxAttempts) throws IOException {
        journal.change((d, now) -> d.startAttempt(now));
        TransferSettings settings = TransferSettings.DEFAULT.withReconnectDelays(quick).withProbeInterval(probeInterval);
        return new RetryTiers(journal, source, sleeper, new SplittableRandom(1), settings, BACKOFF, maxAttempts,
                listener);
    }

    private RetryTiers.After failAgain(RetryTiers tiers) throws Exception {
        journal.change((d, now) -> d.startAttempt(now));
        return tiers.waitAfter(REFUSED, false, () -> URL);
    }

    @Test
    void aConnectionThatMovedBytesResumesAtOnceAndSaysWhere() throws Exception {
        RetryTiers tiers = tiers(List.of(Duration.ofSeconds(1)), Duration.ZERO, OptionalInt.empty());
        journal.progress(7, 0);
        assertInstanceOf(RetryTiers.Resume.class, tiers.waitAfter(REFUSED, true, () -> URL));
        assertEquals(List.of(), sleeper.sleeps());
        assertEquals(List.of(new Notice(download.id(), "connection refused; resuming at byte 7")),
                listener.notices());
    }

    @Test
    void aQuickReconnectSaysHowLongItWaitsAndWhy() throws Exception {
        RetryTiers tiers = tiers(List.of(Duration.ofSeconds(3)), Duration.ZERO, OptionalInt.empty());
        assertInstanceOf(RetryTiers.Resume.class, tiers.waitAfter(REFUSED, false, () -> URL));
        assertEquals(List.of(Duration.ofSeconds(3)), sleeper.sleeps());
        assertEquals(List.of(new Waiting(download.id(), Duration.ofSeconds(3),
                "connection refused (quick reconnect 1 of 1)")), listener.waits());
        assertEquals(0, journal.read(Download::attempts), "a quick reconnect is not a failed attempt");
    }

    @Test
    void aLongWaitSaysHowLongItWaitsAndCountsAFailedAttempt() throws Exception {
        RetryTiers tiers = tiers(List.of(), Duration.ZERO, OptionalInt.empty());
        assertInstanceOf(RetryTiers.Resume.class, tiers.waitAfter(REFUSED, false, () -> URL));
        assertEquals(List.of(new Waiting(download.id(), Duration.ofMinutes(1), "attempt 1 failed: connection refused")),
                listener.waits());
        assertEquals(List.of(Duration.ofMinutes(1)), sleeper.sleeps());
        assertEquals(1, journal.read(Download::attempts));
        assertEquals(DownloadState.PAUSED, journal.read(Download::state));
    }

    @Test
    void runningOutAfterOneAttemptSaysOneAttempt() throws Exception {
        RetryTiers tiers = tiers(List.of(), Duration.ZERO, OptionalInt.of(1));
        RetryTiers.GaveUp gaveUp = assertInstanceOf(RetryTiers.GaveUp.class,
                tiers.waitAfter(REFUSED, false, () -> URL));
        assertEquals("not finished after 1 attempt (connection refused); 0 bytes kept, run again to resume",
                gaveUp.message());
        assertEquals(List.of(), sleeper.sleeps(), "no wait before giving up");
    }

    @Test
    void runningOutAfterTwoAttemptsSaysAttempts() throws Exception {
        RetryTiers tiers = tiers(List.of(), Duration.ZERO, OptionalInt.of(2));
        assertInstanceOf(RetryTiers.Resume.class, tiers.waitAfter(REFUSED, false, () -> URL));
        RetryTiers.GaveUp gaveUp = assertInstanceOf(RetryTiers.GaveUp.class, failAgain(tiers));
        assertTrue(gaveUp.message().startsWith("not finished after 2 attempts ("), gaveUp.message());
    }

    @Test
    void aKickSaysItEndedTheWait() throws Exception {
        sleeper.kickDuring(1);
        RetryTiers tiers = tiers(List.of(), Duration.ZERO, OptionalInt.empty());
        tiers.waitAfter(REFUSED, false, () -> URL);
        assertEquals(List.of(Duration.ofSeconds(1)), sleeper.sleeps());
        assertEquals(List.of(new Notice(download.id(), "woken up: starting the next attempt now")),
                listener.notices());
    }

    @Test
    void anAnsweredProbeSaysWhichSourceAnswersAgain() throws Exception {
        source.probesAnswer(false, true);
        RetryTiers tiers = tiers(List.of(), Duration.ofSeconds(20), OptionalInt.empty());
        tiers.waitAfter(REFUSED, false, () -> URL);
        assertEquals(List.of(Duration.ofSeconds(20), Duration.ofSeconds(20)), sleeper.sleeps());
        assertEquals(List.of(new Notice(download.id(),
                "https://cdn.example/model.bin answers again: starting the next attempt now")), listener.notices());
    }

    @Test
    void theLastSliceOfAWaitIsShorterAndNoProbeFollowsIt() throws Exception {
        RetryTiers tiers = tiers(List.of(), Duration.ofSeconds(25), OptionalInt.empty());
        tiers.waitAfter(REFUSED, false, () -> URL);
        assertEquals(List.of(Duration.ofSeconds(25), Duration.ofSeconds(25), Duration.ofSeconds(10)),
                sleeper.sleeps());
        assertEquals(2, source.probes());
    }

    @Test
    void aRetryAfterLongerThanTheScheduleIsWaitedOutWithoutQuickReconnects() throws Exception {
        RetryTiers tiers = tiers(List.of(Duration.ofSeconds(1)), Duration.ZERO, OptionalInt.empty());
        SourceException slowDown = new SourceException(SourceException.Kind.TRANSIENT, "429", Duration.ofMinutes(7),
                null);
        tiers.waitAfter(slowDown, false, () -> URL);
        assertEquals(List.of(Duration.ofMinutes(7)), sleeper.sleeps());
    }

    @Test
    void aRetryAfterBeyondTheLongestStepIsCutToIt() throws Exception {
        RetryTiers tiers = tiers(List.of(), Duration.ZERO, OptionalInt.empty());
        SourceException slowDown = new SourceException(SourceException.Kind.TRANSIENT, "503", Duration.ofDays(2),
                null);
        tiers.waitAfter(slowDown, false, () -> URL);
        assertEquals(List.of(Duration.ofHours(4)), sleeper.sleeps());
    }
}
