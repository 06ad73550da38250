package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Throttle;
import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.AnswerSource;
import dev.skyloader.application.fakes.AnswerSource.Answer;
import dev.skyloader.application.fakes.FakeBootId;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.InMemoryLocks;
import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.fakes.RecordingHosts;
import dev.skyloader.application.fakes.RecordingListener;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The loop of attempts, driven through the service: which source is asked next, when it waits, how it ends. */
class AttemptLoopTest {
    private static final SourceUrl A = new SourceUrl("https://a.example/model.bin");
    private static final SourceUrl B = new SourceUrl("https://b.example/model.bin");
    private static final SourceUrl C = new SourceUrl("https://c.example/model.bin");
    private static final String OUT = "/data/model.bin";
    private static final AesKey KEY = AesKey.of(TransferTest.filled(9));
    private static final SourceException REFUSED = SourceException.transientError("connection refused", null);

    private final byte[] content = TransferTest.bytes(1000, 1);
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final InMemoryFileStore files = new InMemoryFileStore();
    private final RecordingHosts hosts = new RecordingHosts();
    private final RecordingListener listener = new RecordingListener();
    private final AnswerSource source = new AnswerSource();
    private TransferSettings settings = TransferSettings.DEFAULT.withCheckpointBytes(1L << 30)
            .withProbeInterval(Duration.ZERO)
            .withReconnectDelays(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)));

    private DownloadResult download(DownloadCommand command) throws Exception {
        DownloadService service = new DownloadService(source, store, new InMemoryLocks(), files, hosts,
                new Sha256Digest(), new XorCipher(), clock, sleeper, new SplittableRandom(7), new FakeBootId(),
                Throttle.UNLIMITED, settings);
        return service.download(command.withListener(listener));
    }

    private DownloadCommand plain(SourceUrl... mirrors) {
        return DownloadCommand.of(A, new Sha256(Sha256Digest.hexOf(content)), OptionalLong.of(content.length),
                CipherName.NONE, Optional.empty(), OUT).withMirrors(List.of(mirrors))
                .withRetries(BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.empty(), 2);
    }

    private Download stored() {
        return store.load(DownloadService.idFor(new Sha256(Sha256Digest.hexOf(content)), OUT)).orElseThrow();
    }

    /** Serves {@code bytes} from the offset asked for up to {@code until}, then ends the body cleanly. */
    private static Answer serve(byte[] bytes, String validator, int until) {
        return (offset, v) -> new RemoteBody(offset, OptionalLong.of(bytes.length), Optional.ofNullable(validator),
                new ByteArrayInputStream(Arrays.copyOfRange(bytes, (int) offset, until)));
    }

    private static Answer serve(byte[] bytes) {
        return serve(bytes, null, bytes.length);
    }

    private static Answer fail(SourceException e) {
        return (offset, v) -> {
            throw e;
        };
    }

    private List<SourceUrl> urlsAsked() {
        return source.requests().stream().map(AnswerSource.Request::url).toList();
    }

    @Test
    void aTransientFailureOfEverySourceWaitsOnceARoundThenStartsTheNextRoundWithTheNextSource() throws Exception {
        source.then(fail(REFUSED), fail(REFUSED), fail(REFUSED), fail(REFUSED), serve(content));

        assertEquals(Outcome.COMPLETE, download(plain(B)).outcome());

        assertEquals(List.of(A, B, A, B, A), urlsAsked());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeper.sleeps());
        assertEquals(List.of("https://a.example", "https://b.example", "https://a.example", "https://b.example"),
                hosts.failures());
        assertEquals("connection refused; trying https://b.example/model.bin next (was https://a.example/model.bin)",
                listener.messages().get(0));
        assertEquals(stored().id(), listener.notices().get(0).id());
    }

    @Test
    void threeSourcesFailingInTurnWaitOnlyAfterTheLastOfThem() throws Exception {
        source.then(fail(REFUSED), fail(REFUSED), fail(REFUSED), serve(content));

        assertEquals(Outcome.COMPLETE, download(plain(B, C)).outcome());

        assertEquals(List.of(A, B, C, A), urlsAsked());
        assertEquals(List.of(Duration.ofSeconds(1)), sleeper.sleeps());
    }

    @Test
    void aConnectionThatMovedBytesIsResumedAtTheSameSourceAndItsHostNotBlamed() throws Exception {
        source.then(serve(content, null, 400), serve(content));

        assertEquals(Outcome.COMPLETE, download(plain(B)).outcome());

        assertEquals(List.of(A, A), urlsAsked());
        assertEquals(400, source.requests().get(1).offset());
        assertEquals(List.of(), hosts.failures());
        assertEquals(List.of(), sleeper.sleeps());
    }

    @Test
    void anObjectThatChangedIsFetchedAgainFromByteZeroAtOnce() throws Exception {
        byte[] old = TransferTest.bytes(1000, 2);
        source.then(serve(old, "v1", 500), serve(content, "v2", 1000), serve(content, "v2", 1000));

        assertEquals(Outcome.COMPLETE, download(plain()).outcome());

        assertEquals(List.of(0L, 500L, 0L), source.requests().stream().map(AnswerSource.Request::offset).toList());
        assertEquals(Optional.empty(), source.requests().get(2).validator(), "the old version is forgotten");
        assertEquals(List.of(), sleeper.sleeps());
        assertTrue(listener.messages().contains("https://a.example/model.bin changed (validator v1 -> v2): starting"
                + " again from byte 0"), listener.messages().toString());
        assertArrayEquals(content, files.content(OUT));
    }

    @Test
    void anObjectThatKeepsChangingIsWaitedOutAfterTheThirdRestartInARow() throws Exception {
        SourceException changed = SourceException.changed("moving target");
        source.then(fail(changed), fail(changed), fail(changed), fail(changed), fail(changed), fail(changed),
                serve(content));

        assertEquals(Outcome.COMPLETE, download(plain()).outcome());

        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeper.sleeps(),
                "a wait after every third restart");
        assertEquals(6, listener.messages().stream().filter(m -> m.equals("moving target: starting again from byte 0"))
                .count());
    }

    @Test
    void aConnectionThatMovedBytesEndsARunOfRestarts() throws Exception {
        SourceException changed = SourceException.changed("moving target");
        source.then(fail(changed), fail(changed), serve(content, null, 500), fail(changed), serve(content));

        assertEquals(Outcome.COMPLETE, download(plain()).outcome());

        assertEquals(List.of(), sleeper.sleeps(), "never three restarts in a row");
    }

    @Test
    void bytesKeptFromTheLastRunButNotYetSyncedAreSyncedWhenTheFirstAttemptFails() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        Sha256 sha = new Sha256(Sha256Digest.hexOf(content));
        files.put(OUT + ".part", Arrays.copyOf(content, 500));
        store.save(Download.builder().id(DownloadService.idFor(sha, OUT)).url(A.value()).expectedSha256(sha)
                .expectedSize(OptionalLong.of(content.length)).outputPath(OUT).partPath(OUT + ".part")
                .createdAt(clock.instant()).state(DownloadState.PAUSED).bytesDownloaded(500).bytesDurable(100L)
                .bootId("boot-1").build());
        source.then(fail(REFUSED));

        DownloadResult result = download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2));

        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertEquals(500, source.requests().get(0).offset());
        assertEquals(500, stored().bytesDurable());
    }

    @Test
    void aPermanentErrorAfterProgressFailsWithEveryKeptByteSynced() throws Exception {
        source.then(serve(content, null, 500), fail(SourceException.permanent("gone")));

        DownloadResult result = download(plain());

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(500, stored().bytesDurable());
        assertEquals(DownloadState.FAILED, stored().state());
    }

    @Test
    void accessDeniedAfterProgressPausesWithEveryKeptByteSynced() throws Exception {
        source.then(serve(content, null, 500), fail(SourceException.denied("403")));

        DownloadResult result = download(plain());

        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertEquals(500, stored().bytesDurable());
        assertEquals(DownloadState.PAUSED, stored().state());
    }

    @Test
    void accessDeniedAfterOnlyPartOfTheNonceArrivedStillPausesForAFreshUrl() throws Exception {
        byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, content);
        source.then(serve(served, "v1", 5), fail(SourceException.denied("403")));
        DownloadCommand command = DownloadCommand.of(A, new Sha256(Sha256Digest.hexOf(served)),
                OptionalLong.of(served.length), CipherName.AES_256_GCM, Optional.of(KEY), OUT);

        DownloadResult result = download(command);

        assertEquals(Outcome.NOT_FINISHED, result.outcome(), result.message());
        assertTrue(result.message().startsWith("403; 0 bytes kept"), result.message());
    }

    @Test
    void aFailureThatMovedNothingSyncsWhatIsKeptBeforeItWaits() throws Exception {
        settings = settings.withReconnectDelays(List.of());
        source.then(serve(content, null, 500), fail(REFUSED));

        DownloadResult result = download(plain().withRetries(BackoffPolicy.DEFAULT, OptionalInt.of(1), 2));

        assertEquals(Outcome.NOT_FINISHED, result.outcome());
        assertEquals(500, stored().bytesDurable());
    }
}
