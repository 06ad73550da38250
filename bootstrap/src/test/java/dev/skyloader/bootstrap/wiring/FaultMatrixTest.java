package dev.skyloader.bootstrap.wiring;

import static org.junit.jupiter.api.Assertions.*;

import com.google.inject.AbstractModule;
import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.http.TestCertificates;
import dev.skyloader.adapters.http.TestHttpServer;
import dev.skyloader.adapters.http.TestHttpServer.DropAfter;
import dev.skyloader.adapters.http.TestHttpServer.DropAndReplace;
import dev.skyloader.adapters.http.TestHttpServer.IgnoreRange;
import dev.skyloader.adapters.http.TestHttpServer.Redirect;
import dev.skyloader.adapters.http.TestHttpServer.StallAfter;
import dev.skyloader.adapters.http.TestHttpServer.Status;
import dev.skyloader.adapters.http.TestHttpServer.TruncatedChunked;
import dev.skyloader.adapters.http.TestHttpServer.WrongContentRange;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One fault a row, against the real HTTP server and the real adapters, with time on a fake clock: what each fault
 * must end in, and how many bytes it may cost beyond the artifact's size (what the server wrote, which includes
 * what was in flight when skyloader dropped a connection).
 */
class FaultMatrixTest {
    private static final int SIZE = 2_000_000;
    private static final byte[] CONTENT = bytes(SIZE, 1);
    private static final byte[] NEWER = bytes(SIZE, 2);

    /** What a row arranges; returns the URL to fetch. */
    @FunctionalInterface
    interface Arrange {
        String on(TestHttpServer server, Path dir) throws Exception;
    }

    /**
     * @param expected      the bytes the download must end with (when it completes)
     * @param outcome       how the run must end
     * @param message       a part of the run's last message, or "" for any
     * @param maxExtraBytes bytes the server may write beyond the artifact's size
     */
    record Row(Arrange arrange, byte[] expected, Outcome outcome, String message, long maxExtraBytes) {
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                row("reset mid-body", (s, d) -> fault(s, new DropAfter(700_000)),
                        CONTENT, Outcome.COMPLETE, "", 0),
                row("stall mid-body", (s, d) -> fault(s, new StallAfter(500_000)),
                        CONTENT, Outcome.COMPLETE, "", 0),
                row("503 burst", (s, d) -> fault(s, status(503), status(503), status(503)),
                        CONTENT, Outcome.COMPLETE, "", 0),
                row("429 with Retry-After", (s, d) -> fault(s, new Status(429, Map.of("Retry-After", "120"))),
                        CONTENT, Outcome.COMPLETE, "", 0),
                row("200 to a Range request", (s, d) -> fault(s, new DropAfter(500_000), new IgnoreRange()),
                        CONTENT, Outcome.COMPLETE, "", 500_000),
                row("wrong Content-Range", (s, d) -> fault(s, new DropAfter(500_000), new WrongContentRange()),
                        CONTENT, Outcome.COMPLETE, "", SIZE),
                row("object changed between attempts",
                        (s, d) -> fault(s, new DropAndReplace(600_000, NEWER)),
                        NEWER, Outcome.COMPLETE, "", 600_000),
                row("truncated body with a correct status", (s, d) -> fault(s, new TruncatedChunked(800_000)),
                        CONTENT, Outcome.COMPLETE, "", 0),
                row("more bytes than the expected size", (s, d) -> {
                    s.put("/model.bin", bytes(SIZE + 1000, 1));
                    return s.url("/model.bin");
                }, CONTENT, Outcome.FAILED, "expected to be " + SIZE + " bytes", Long.MAX_VALUE),
                row("redirect loop", (s, d) -> {
                    s.put("/model.bin", CONTENT);
                    s.always(new Redirect(302, "/model.bin"));
                    return s.url("/model.bin");
                }, CONTENT, Outcome.FAILED, "redirects", 0),
                row("expired presigned URL", (s, d) -> fault(s, new DropAfter(500_000), status(403)),
                        CONTENT, Outcome.NOT_FINISHED, "fresh URL", 0),
                row("DNS failure", (s, d) -> "http://no-such-host.skyloader.test:" + s.port() + "/model.bin",
                        CONTENT, Outcome.NOT_FINISHED, "cannot resolve host", 0),
                row("connection refused", (s, d) -> {
                    try (ServerSocket socket = new ServerSocket(0)) {
                        return "http://127.0.0.1:" + socket.getLocalPort() + "/model.bin";
                    }
                }, CONTENT, Outcome.NOT_FINISHED, "connection refused", 0),
                row("TLS with an untrusted certificate", (s, d) -> {
                    TestHttpServer secure = TestHttpServer.startHttps(TestCertificates.generate(d).serverContext());
                    secure.put("/model.bin", CONTENT);
                    SECURE.set(secure);
                    return secure.url("/model.bin");
                }, CONTENT, Outcome.FAILED, "--ca-cert", 0));
    }

    private static final ThreadLocal<TestHttpServer> SECURE = new ThreadLocal<>();

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
        Optional.ofNullable(SECURE.get()).ifPresent(TestHttpServer::close);
        SECURE.remove();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void endsAsExpected(String fault, Row row) throws Exception {
        String url = row.arrange().on(server, dir);
        Path output = dir.resolve("out/model.bin");
        DownloadCommand command = new DownloadCommand(new SourceUrl(url), List.of(),
                new Sha256(Sha256Digest.hexOf(row.expected())), OptionalLong.of(SIZE), CipherName.NONE,
                Optional.empty(), output.toString(), BackoffPolicy.DEFAULT.withJitter(0), OptionalInt.of(5), 2,
                DownloadListener.NONE);
        TransferSettings transfer = TransferSettings.DEFAULT.withReconnectDelays(List.of())
                .withProbeInterval(Duration.ZERO);
        HttpSettings http = HttpSettings.DEFAULT.withStallTimeout(Duration.ofMillis(300));
        DownloadResult result;
        try (Wiring wiring = new Wiring(new FsSettings(dir.resolve("state")), http, S3Settings.DEFAULT, transfer,
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(Clock.class).toInstance(clock);
                        bind(Sleeper.class).toInstance(sleeper);
                    }
                })) {
            result = wiring.get(DownloadArtifact.class).download(command);
        }

        assertEquals(row.outcome(), result.outcome(), fault + ": " + result.message());
        assertTrue(result.message().contains(row.message()), fault + ": " + result.message());
        if (row.outcome() == Outcome.COMPLETE) {
            assertArrayEquals(row.expected(), Files.readAllBytes(output), fault);
            assertTrue(server.bodyBytesSent() - SIZE <= row.maxExtraBytes(),
                    fault + ": " + (server.bodyBytesSent() - SIZE) + " extra bytes");
        } else {
            assertFalse(Files.exists(output), fault + ": no output");
        }
        if (fault.startsWith("429")) {
            assertEquals(List.of(Duration.ofMinutes(2)), sleeper.sleeps(), "Retry-After honoured");
        }
        if (fault.startsWith("expired")) {
            assertEquals(List.of(), sleeper.sleeps(), "an expired URL is not retried");
        }
    }

    private static Arguments row(String name, Arrange arrange, byte[] expected, Outcome outcome, String message,
                                 long maxExtraBytes) {
        return Arguments.of(name, new Row(arrange, expected, outcome, message, maxExtraBytes));
    }

    private static String fault(TestHttpServer server, TestHttpServer.Fault... faults) {
        server.put("/model.bin", CONTENT);
        server.enqueue(faults);
        return server.url("/model.bin");
    }

    private static Status status(int code) {
        return new Status(code, Map.of());
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
