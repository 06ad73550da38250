package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.adapters.http.TestHttpServer;
import dev.skyloader.adapters.http.TestHttpServer.DropAndReplace;
import dev.skyloader.adapters.http.TestHttpServer.IgnoreRange;
import dev.skyloader.adapters.http.TestHttpServer.Pass;
import dev.skyloader.adapters.http.TestHttpServer.StallAfter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code get --connections 4} end to end against the real in-process HTTP server: pieces, failures, fallbacks. */
class ConnectionsCommandTest {
    private static final int SIZE = 3_000_000;
    private static final Pattern CLOSED = Pattern.compile("bytes=(\\d+)-(\\d+)");

    @TempDir
    Path dir;
    private TestHttpServer server;
    private final CliRunner cli = new CliRunner(Map.of());
    private final byte[] plain = GetCommandTest.bytes(SIZE, 8);

    @BeforeEach
    void start() throws Exception {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fourConnectionsFetchClosedPiecesThatAddUpToTheArtifactByteExact() throws Exception {
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(5));
        server.put("/m.gcm", artifact);
        CliRunner.Result result = get("/m.gcm", artifact, "--cipher", "aes-256-gcm", "--key-file",
                dir.resolve("key").toString());
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/m.gcm")));
        List<TestHttpServer.Request> requests = server.requests();
        assertTrue(requests.size() >= SIZE / (256 << 10), "one request per piece at least: " + requests.size());
        long asked = 0;
        for (TestHttpServer.Request request : requests) {
            Matcher range = CLOSED.matcher(request.range());
            assertTrue(range.matches(), "every request is a closed range: " + request.range());
            asked += Long.parseLong(range.group(2)) - Long.parseLong(range.group(1)) + 1;
            if (!request.range().startsWith("bytes=0-")) {
                assertEquals(server.etag("/m.gcm"), request.ifRange(), "every piece carries the validator");
            }
        }
        // Splits at the end ask again for halves of pieces already asked for; what a split costs at most is the rest
        // of the piece it cut, which the server may already have sent.
        assertTrue(asked <= artifact.length + (long) requests.size() * (256 << 10), "asked " + asked);
        assertTrue(server.bodyBytesSent() <= artifact.length + 4L * (256 << 10), "sent " + server.bodyBytesSent());
    }

    @Test
    void everyConnectionCutEveryFewHundredKibStillEndsByteExact() throws Exception {
        server.put("/m.bin", plain);
        server.cutEvery(300_000);
        CliRunner.Result result = get("/m.bin", plain, "--reconnect", "none");
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/m.bin")));
        assertTrue(server.requests().size() >= SIZE / 300_000, "the cuts happened: " + server.requests().size());
        assertTrue(server.bodyBytesSent() <= SIZE + 4L * (256 << 10), "resumed pieces, not refetched: "
                + server.bodyBytesSent());
    }

    @Test
    void oneConnectionStallsWhileTheOthersFlowAndTheDownloadCompletes() throws Exception {
        server.put("/m.bin", plain);
        server.enqueue(new Pass(), new StallAfter(100_000));
        CliRunner.Result result = get("/m.bin", plain, "--stall-timeout", "500ms", "--reconnect", "none");
        // The stalled piece is resumed after the stall timeout, or split away by the idle connections first.
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/m.bin")));
        assertTrue(server.bodyBytesSent() <= SIZE + 4L * (256 << 10), "sent " + server.bodyBytesSent());
    }

    @Test
    void anObjectReplacedMidDownloadStopsEveryConnectionAndStartsOnceFromByteZero() throws Exception {
        byte[] newer = GetCommandTest.bytes(SIZE, 9);
        server.put("/m.bin", plain);
        // The second request sends a little, then the object is replaced: pieces asked after that carry the old
        // ETag in If-Range and get the new object whole.
        server.enqueue(new Pass(), new DropAndReplace(50_000, newer));
        CliRunner.Result result = get("/m.bin", newer, "--reconnect", "none");
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(newer, Files.readAllBytes(dir.resolve("out/m.bin")), "the new version, never spliced");
        long fromZero = server.requests().stream().filter(r -> r.range() != null && r.range().startsWith("bytes=0-"))
                .count();
        assertEquals(2, fromZero, "the first request, and one restart: " + server.requests());
    }

    @Test
    void aServerThatIgnoresRangeIsReadOverOneConnectionFromByteZero() throws Exception {
        server.put("/m.bin", plain);
        server.always(new IgnoreRange());
        CliRunner.Result result = get("/m.bin", plain);
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/m.bin")));
        assertEquals(1, server.requests().size(), "one connection: " + server.requests());
        assertEquals(SIZE, server.bodyBytesSent());
    }

    @Test
    void withTheSizeGivenTheConnectionsAskAtOnceAndOnlyThoseFirstRequestsGoWithoutTheValidator() throws Exception {
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(5));
        server.put("/m.gcm", artifact);
        CliRunner.Result result = get("/m.gcm", artifact, "--cipher", "aes-256-gcm", "--key-file",
                dir.resolve("key").toString(), "--size", Integer.toString(artifact.length));
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/m.gcm")));
        List<TestHttpServer.Request> requests = server.requests();
        List<TestHttpServer.Request> unvalidated = requests.stream().filter(r -> r.ifRange() == null).toList();
        // Asked before any answer told the ETag: one per connection at most, each a piece's first request.
        assertTrue(unvalidated.size() <= 4, "unvalidated: " + unvalidated);
        for (TestHttpServer.Request request : unvalidated) {
            Matcher range = CLOSED.matcher(request.range());
            assertTrue(range.matches(), request.range());
            long start = Long.parseLong(range.group(1));
            assertTrue(start == 0 || (start - 12) % (256 << 10) == 0, "not a piece's start: " + request.range());
        }
        assertTrue(requests.stream().filter(r -> r.ifRange() != null)
                .allMatch(r -> server.etag("/m.gcm").equals(r.ifRange())), requests.toString());
        assertTrue(server.bodyBytesSent() <= artifact.length + 4L * (256 << 10), "sent " + server.bodyBytesSent());
    }

    @Test
    void withTheSizeGivenAServerThatIgnoresRangeIsStillReadOverOneConnectionFromByteZero() throws Exception {
        server.put("/m.bin", plain);
        server.always(new IgnoreRange());
        CliRunner.Result result = get("/m.bin", plain, "--size", Integer.toString(SIZE));
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/m.bin")));
        // The connections asked at once; their answers (the whole object each) were closed, and one request read
        // it from byte 0.
        List<TestHttpServer.Request> requests = server.requests();
        assertTrue(requests.size() >= 2 && requests.size() <= 5, requests.toString());
        assertTrue(requests.get(requests.size() - 1).range() == null
                || requests.get(requests.size() - 1).range().startsWith("bytes=0-"), requests.toString());
    }

    @Test
    void badConnectionCountsAndPieceSizesAreRefusedWithExitTwo() throws Exception {
        for (List<String> bad : List.of(List.of("--connections", "0"), List.of("--connections", "17"),
                List.of("--piece-size", "1000"), List.of("--piece-size", "65537"), List.of("--piece-size", "x"))) {
            List<String> args = new ArrayList<>(List.of("get", server.url("/m.bin"), "--sha256",
                    GetCommandTest.sha256(plain), "-o", dir.resolve("out/x").toString(), "--state-dir",
                    dir.resolve("state").toString()));
            args.addAll(bad);
            CliRunner.Result result = cli.run(args.toArray(String[]::new));
            assertEquals(2, result.exitCode(), bad + ": " + result.err());
            assertTrue(result.err().contains(bad.get(0)), result.err());
            assertEquals(1, result.err().strip().lines().count(), "one line: " + result.err());
        }
        assertEquals(List.of(), server.requests());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    private CliRunner.Result get(String path, byte[] served, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("get", server.url(path), "--sha256",
                GetCommandTest.sha256(served), "-o", dir.resolve("out" + path).toString(), "--state-dir",
                dir.resolve("state").toString(), "--connections", "4", "--piece-size", "256k"));
        if (!List.of(extra).contains("--stall-timeout")) {
            args.add("--quiet");
        }
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }
}
