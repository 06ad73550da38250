package dev.skyloader.bootstrap.wiring;

import static org.junit.jupiter.api.Assertions.*;

import com.google.inject.AbstractModule;
import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.http.TestHttpServer;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.SyncArtifacts;
import dev.skyloader.application.port.in.SyncCommand;
import dev.skyloader.application.port.in.SyncResult;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --limit-rate} is one budget for a whole sync, on a virtual clock: every wait moves the clock, and the clock
 * refills every bucket there is. One bucket shared by three artifacts makes the clock run total / rate; a bucket each
 * would let it run only a third of that.
 */
class SyncRateTest {
    private static final int SIZE = 400_000;
    private static final long RATE = 100_000;

    @TempDir
    Path dir;
    private TestHttpServer server;
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    @BeforeEach
    void start() throws Exception {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void threeArtifactsInParallelShareOneRateBudget() throws Exception {
        List<SyncCommand.Entry> entries = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] content = new byte[SIZE];
            new SplittableRandom(i).nextBytes(content);
            contents.add(content);
            server.put("/a" + i, content);
            entries.add(new SyncCommand.Entry("a" + i, 0, DownloadCommand.of(new SourceUrl(server.url("/a" + i)),
                    new Sha256(Sha256Digest.hexOf(content)), OptionalLong.of(SIZE), CipherName.NONE,
                    Optional.empty(), dir.resolve("out/a" + i).toString())));
        }
        Instant start = clock.instant();
        SyncResult result;
        try (Wiring wiring = new Wiring(new FsSettings(dir.resolve("state")), HttpSettings.DEFAULT, S3Settings.DEFAULT,
                TransferSettings.DEFAULT.withLimitRate(RATE), new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(Clock.class).toInstance(clock);
                        bind(Sleeper.class).toInstance(sleeper);
                    }
                })) {
            result = wiring.get(SyncArtifacts.class).sync(new SyncCommand(entries, 3));
        }
        assertEquals(Outcome.COMPLETE, result.outcome(), result.message());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(contents.get(i), Files.readAllBytes(dir.resolve("out/a" + i)));
        }
        Duration elapsed = Duration.between(start, clock.instant());
        long seconds = 3L * SIZE / RATE;
        assertTrue(elapsed.compareTo(Duration.ofSeconds(seconds - 1)) >= 0, "one budget for all three: " + elapsed);
        assertTrue(elapsed.compareTo(Duration.ofSeconds(seconds + 1)) <= 0, "and no slower than it: " + elapsed);
    }
}
