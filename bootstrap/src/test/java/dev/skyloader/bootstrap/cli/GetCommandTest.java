package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloader.adapters.http.TestHttpServer;
import dev.skyloader.adapters.http.TestHttpServer.DropAfter;
import dev.skyloader.adapters.http.TestHttpServer.StallAfter;
import dev.skyloader.adapters.http.TestHttpServer.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code get} command end to end: real HTTP server, real files, real ciphers, in this JVM. */
class GetCommandTest {
    private static final int SIZE = 2_000_000;

    @TempDir
    Path dir;
    private TestHttpServer server;
    private final CliRunner cli = new CliRunner(Map.of("MODEL_KEY", base64Key(3)));
    private final byte[] plain = bytes(SIZE, 42);

    @BeforeEach
    void start() throws Exception {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void resumesWithTheExactOffsetAfterTheServerDropsAtSixtyPercent() throws Exception {
        server.put("/model.bin", plain);
        long cut = SIZE * 6L / 10;
        server.enqueue(new DropAfter(cut));
        CliRunner.Result result = get("/model.bin", sha256(plain), "--reconnect", "none");
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
        List<TestHttpServer.Request> requests = server.requests();
        assertEquals(2, requests.size());
        assertEquals("bytes=" + cut + "-", requests.get(1).range());
        assertEquals(server.etag("/model.bin"), requests.get(1).ifRange());
        assertEquals(SIZE, server.bodyBytesSent(), "no byte was fetched twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "aes-256-gcm", "aes-256-cbc", "aes-256-ctr"})
    void downloadsAndDecryptsEveryCipher(String cipher) throws Exception {
        Path input = Files.write(dir.resolve("plain.bin"), plain);
        Path keyFile = Files.writeString(dir.resolve("key"), base64Key(1) + "\n");
        List<String> encrypt = new ArrayList<>(List.of("encrypt", input.toString(), "-o",
                dir.resolve("artifact").toString(), "--cipher", cipher));
        if (!"none".equals(cipher)) {
            encrypt.addAll(List.of("--key-file", keyFile.toString()));
        }
        CliRunner.Result encrypted = cli.run(encrypt.toArray(String[]::new));
        assertEquals(0, encrypted.exitCode(), encrypted.err());
        byte[] artifact = Files.readAllBytes(dir.resolve("artifact"));
        assertTrue(encrypted.out().contains("sha256 " + sha256(artifact)), encrypted.out());
        assertTrue(encrypted.out().contains("size " + artifact.length), encrypted.out());

        server.put("/artifact", artifact);
        server.enqueue(new DropAfter(artifact.length / 3));
        List<String> args = new ArrayList<>(List.of("--cipher", cipher, "--size", Integer.toString(artifact.length)));
        if (!"none".equals(cipher)) {
            args.addAll(List.of("--key-file", keyFile.toString()));
        }
        CliRunner.Result result = get("/artifact", sha256(artifact), args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/artifact")));
        try (Stream<Path> left = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("artifact"), left.map(p -> p.getFileName().toString()).toList(),
                    "no part or temporary file left");
        }
    }

    @Test
    void aWrongKeyFailsWithExitOneAndLeavesNoOutput() throws Exception {
        byte[] artifact = encrypt(dir, plain, "aes-256-gcm", base64Key(1));
        server.put("/a.gcm", artifact);
        CliRunner.Result result = get("/a.gcm", sha256(artifact), "--cipher", "aes-256-gcm", "--key-env", "MODEL_KEY");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("decryption failed"), result.err());
        assertFalse(Files.exists(dir.resolve("out/a.gcm")));
    }

    @Test
    void aCorruptObjectIsFetchedTwiceNotThreeTimesThenFailsNamingBothDigests() throws Exception {
        byte[] corrupt = plain.clone();
        corrupt[777] ^= 1;
        server.put("/model.bin", corrupt);
        CliRunner.Result result = get("/model.bin", sha256(plain));
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains(sha256(plain)) && result.err().contains(sha256(corrupt)), result.err());
        assertTrue(result.err().contains("the source serves these bytes consistently"), result.err());
        assertEquals(2, server.requests().size(), "one restart showed the same wrong bytes: no third download");

        CliRunner.Result again = cli.run("get", server.url("/model.bin"), "--sha256", sha256(plain), "-o",
                dir.resolve("out/model.bin").toString(), "--state-dir", dir.resolve("state").toString());
        assertEquals(1, again.exitCode(), again.err());
        assertFalse(again.err().contains("part file"), "no word of a part file skyloader deleted itself: "
                + again.err());
        // Without --size the first request asks for the first piece: the answer tells the size.
        server.requests().forEach(r -> assertTrue(r.range() == null || r.range().startsWith("bytes=0-"),
                "every restart starts at byte 0: " + r.range()));
        assertFalse(Files.exists(dir.resolve("out/model.bin")));
        assertFalse(Files.exists(dir.resolve("out/model.bin.part")));
    }

    @Test
    void attemptsRunningOutExitWith75AndANewRunResumesFromTheStoredOffset() throws Exception {
        server.put("/model.bin", plain);
        long cut = SIZE * 4L / 10;
        server.enqueue(new DropAfter(cut), new Status(503, Map.of()));
        CliRunner.Result first = get("/model.bin", sha256(plain), "--max-attempts", "1", "--reconnect", "none");
        assertEquals(75, first.exitCode(), first.err());

        CliRunner.Result status = cli.run("status", "--json", "--state-dir", dir.resolve("state").toString());
        JsonNode download = new ObjectMapper().readTree(status.out()).get(0);
        assertEquals("paused", download.get("state").asText());
        assertEquals(cut, download.get("bytes_downloaded").asLong());

        CliRunner.Result second = get("/model.bin", sha256(plain));
        assertEquals(0, second.exitCode(), second.err());
        assertResumesAt(cut, server.requests().get(2).range());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
    }

    @Test
    void aStateDocumentCutInHalfIsSetAsideAndTheDownloadStartsOverCorrectly() throws Exception {
        server.put("/model.bin", plain);
        server.enqueue(new DropAfter(SIZE / 2), new Status(503, Map.of()));
        assertEquals(75, get("/model.bin", sha256(plain), "--max-attempts", "1", "--reconnect", "none").exitCode());
        Path document;
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            document = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(document);
        Files.write(document, java.util.Arrays.copyOf(whole, whole.length / 2));

        CliRunner.Result result = get("/model.bin", sha256(plain));
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().contains(".json.corrupt-")),
                    "the damaged document is kept aside");
        }
    }

    @Test
    void aPartFileShorterThanTheStateClaimsResumesFromWhatIsOnDisk() throws Exception {
        server.put("/model.bin", plain);
        server.enqueue(new DropAfter(SIZE * 3L / 4), new Status(503, Map.of()));
        assertEquals(75, get("/model.bin", sha256(plain), "--max-attempts", "1", "--reconnect", "none").exitCode());
        Path part = dir.resolve("out/model.bin.part");
        try (var channel = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(SIZE / 4);
        }
        CliRunner.Result result = get("/model.bin", sha256(plain));
        assertEquals(0, result.exitCode(), result.err());
        assertResumesAt(SIZE / 4, server.requests().get(2).range());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
    }

    @Test
    void aStalledTransferIsAbortedAndResumed() throws Exception {
        server.put("/model.bin", plain);
        server.enqueue(new StallAfter(500_000));
        CliRunner.Result result = get("/model.bin", sha256(plain), "--stall-timeout", "300ms");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("stalled"), result.err());
        assertEquals("bytes=500000-", server.requests().get(1).range());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
    }

    @Test
    void kickWakesADownloadWaitingOutAnHourLongBackoff() throws Exception {
        server.put("/model.bin", plain);
        server.enqueue(new Status(503, Map.of()));
        String sha = sha256(plain);
        java.util.concurrent.CompletableFuture<CliRunner.Result> running = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> get("/model.bin", sha, "--backoff", "1h", "--reconnect", "none",
                        "--probe-interval", "none"));
        Path state = dir.resolve("state");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!running.isDone() && !waitingForRetry(state)) {
            assertTrue(System.nanoTime() < deadline, "the download never started waiting");
            Thread.sleep(10);
        }
        CliRunner.Result kicked = cli.run("kick", "--state-dir", state.toString());
        assertEquals(0, kicked.exitCode(), kicked.err());
        assertTrue(kicked.out().contains("kicked: woke 1 waiting download"), kicked.out());
        CliRunner.Result result = running.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
    }

    private static boolean waitingForRetry(Path state) throws Exception {
        if (!Files.isDirectory(state)) {
            return false;
        }
        try (Stream<Path> files = Files.list(state)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode document = new ObjectMapper().readTree(file.toFile());
                if ("paused".equals(document.get("state").asText()) && document.has("next_attempt_at")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aMirrorTakesOverAtTheSameOffsetWhenTheServerFails() throws Exception {
        server.put("/model.bin", plain);
        long cut = SIZE * 2L / 5;
        server.enqueue(new DropAfter(cut));
        server.always(new Status(503, Map.of()));
        try (TestHttpServer mirror = TestHttpServer.start()) {
            mirror.put("/model.bin", plain);
            CliRunner.Result result = get("/model.bin", sha256(plain), "--mirror", mirror.url("/model.bin"),
                    "--reconnect", "none");
            assertEquals(0, result.exitCode(), result.err());
            assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
            assertEquals("bytes=" + cut + "-", mirror.requests().get(0).range());
            assertNull(mirror.requests().get(0).ifRange(), "the main server's ETag means nothing to the mirror");
            assertEquals(SIZE, server.bodyBytesSent() + mirror.bodyBytesSent(), "no byte fetched twice");
        }
    }

    @Test
    void runningACompleteDownloadAgainFetchesNothing() throws Exception {
        server.put("/model.bin", plain);
        assertEquals(0, get("/model.bin", sha256(plain)).exitCode());
        CliRunner.Result again = get("/model.bin", sha256(plain));
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(1, server.requests().size());
    }

    @Test
    void neitherTheKeyNorThePresignedSignatureReachesTheStateOrTheOutput() throws Exception {
        byte[] artifact = encrypt(dir, plain, "aes-256-ctr", base64Key(3));
        server.put("/a.ctr", artifact);
        server.enqueue(new DropAfter(500_000), new Status(503, Map.of()));
        String signed = server.url("/a.ctr") + "?X-Amz-Signature=s3cr3tsig&X-Amz-Credential=AKIAEXAMPLE";
        List<String> common = List.of(signed, "--sha256", sha256(artifact), "-o", dir.resolve("out/a").toString(),
                "--state-dir", dir.resolve("state").toString(), "--cipher", "aes-256-ctr", "--key-env", "MODEL_KEY",
                "--reconnect", "none");
        List<String> firstRun = new ArrayList<>(List.of("get"));
        firstRun.addAll(common);
        firstRun.addAll(List.of("--max-attempts", "1", "--json"));
        CliRunner.Result first = cli.run(firstRun.toArray(String[]::new));
        assertEquals(75, first.exitCode(), first.err());
        String key = base64Key(3);
        String keyHex = HexFormat.of().formatHex(Base64.getDecoder().decode(key));
        for (Path file : Files.list(dir.resolve("state")).toList()) {
            String text = Files.readString(file);
            assertFalse(text.contains(key) || text.contains(keyHex), "key in " + file);
            assertFalse(text.contains("s3cr3tsig") || text.contains("AKIAEXAMPLE"), "signature in " + file);
        }
        for (String printed : List.of(first.out(), first.err())) {
            assertFalse(printed.contains("s3cr3tsig") || printed.contains(key), printed);
        }
        List<String> secondRun = new ArrayList<>(List.of("get"));
        secondRun.addAll(common);
        CliRunner.Result second = cli.run(secondRun.toArray(String[]::new));
        assertEquals(0, second.exitCode(), second.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/a")));
        assertEquals("X-Amz-Signature=s3cr3tsig&X-Amz-Credential=AKIAEXAMPLE", server.requests().get(2).query());
    }

    @Test
    void afterAPowerLossTheNextBootResumesFromTheSyncedMarkWhateverCameAfterIt() throws Exception {
        byte[] artifact = encrypt(dir, plain, "aes-256-gcm", base64Key(3));
        server.put("/a.gcm", artifact);
        server.enqueue(new DropAfter(1_500_000), new Status(503, Map.of()));
        CliRunner.Result first = get("/a.gcm", sha256(artifact), "--cipher", "aes-256-gcm", "--key-env",
                "MODEL_KEY", "--reconnect", "none", "--max-attempts", "1");
        assertEquals(75, first.exitCode(), first.err());
        Path stateFile;
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            stateFile = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        ObjectNode document = (ObjectNode) new ObjectMapper().readTree(stateFile.toFile());
        assertEquals(1_500_000, document.get("bytes_durable").asLong(), "a run that stops syncs first");
        // The machine lost power before the last 700,000 bytes were synced: they are zeros now.
        long synced = 800_000;
        document.put("bytes_durable", synced);
        document.put("boot_id", "a-boot-before-the-power-loss");
        Files.writeString(stateFile, document.toString());
        Path part = dir.resolve("out/a.gcm.part");
        byte[] held = Files.readAllBytes(part);
        java.util.Arrays.fill(held, (int) synced - 12, held.length, (byte) 0);
        Files.write(part, held);

        int before = server.requests().size();
        CliRunner.Result second = get("/a.gcm", sha256(artifact), "--cipher", "aes-256-gcm", "--key-env",
                "MODEL_KEY", "--reconnect", "none");
        assertEquals(0, second.exitCode(), second.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/a.gcm")));
        assertResumesAt(synced, server.requests().get(before).range());
    }

    @Test
    void aDownloadLeftHalfWayByThePreviousReleaseResumesUnderThisOne() throws Exception {
        byte[] artifact = encrypt(dir, plain, "aes-256-cbc", base64Key(3));
        server.put("/a.cbc", artifact);
        Path output = dir.resolve("out/a.cbc");
        Files.createDirectories(output.getParent());
        // Schema 1: the part held the served bytes, IV included, every claimed byte synced.
        Files.write(Path.of(output + ".part"), java.util.Arrays.copyOf(artifact, 800_000));
        String id = dev.skyloader.application.service.DownloadService.idFor(
                new dev.skyloader.domain.Sha256(sha256(artifact)), output.toString()).value();
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("state/" + id + ".json"), """
                {
                  "schema_version" : 1,
                  "id" : "%s",
                  "url" : "%s",
                  "expected_sha256" : "%s",
                  "bytes_downloaded" : 800000,
                  "temp_file_path" : "%s.part",
                  "output_path" : "%s",
                  "cipher" : "aes-256-cbc",
                  "state" : "paused",
                  "attempts" : 1,
                  "restarts" : 0,
                  "validator" : %s,
                  "validator_source" : "%s",
                  "created_at" : "2026-11-01T10:00:00Z",
                  "updated_at" : "2026-11-01T10:05:00Z"
                }
                """.formatted(id, server.url("/a.cbc"), sha256(artifact), output, output,
                new ObjectMapper().writeValueAsString(server.etag("/a.cbc")), server.url("/a.cbc")));

        CliRunner.Result result = get("/a.cbc", sha256(artifact), "--cipher", "aes-256-cbc", "--key-env",
                "MODEL_KEY", "--reconnect", "none");
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output));
        // 800,000 served bytes are the IV and 799,984 of body: 49,999 whole blocks, asked one block early.
        assertEquals(1, server.requests().size(), "one request");
        assertResumesAt(16 + 799_984 - 16, server.requests().get(0).range());
        assertEquals(server.etag("/a.cbc"), server.requests().get(0).ifRange());
    }

    @Test
    void aSizeLargerThanTheWholeFileSystemFailsWithExitOneNotSeventyFive() throws Exception {
        server.put("/model.bin", plain);
        CliRunner.Result result = get("/model.bin", sha256(plain), "--size", "1152921504606846976");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("more than the whole file system of "), result.err());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void headersGoToTheSourceButNotAcrossARedirectToAnotherHostAndAreNeverKept() throws Exception {
        server.put("/model.bin", plain);
        // 127.0.0.1 redirects to localhost: the same server, another host name.
        server.enqueue(new TestHttpServer.Redirect(302, server.url("/model.bin").replace("127.0.0.1", "localhost")));
        CliRunner.Result result = cli.run("get", server.url("/model.bin"), "--sha256", sha256(plain), "-o",
                dir.resolve("out/model.bin").toString(), "--state-dir", dir.resolve("state").toString(),
                "-H", "Authorization: Bearer t0ken-s3cret", "--header", "X-Device:uav-7", "--json");
        assertEquals(0, result.exitCode(), result.err());
        TestHttpServer.Request first = server.requests().get(0);
        assertEquals("Bearer t0ken-s3cret", first.header("Authorization"));
        assertEquals("uav-7", first.header("X-Device"));
        TestHttpServer.Request redirected = server.requests().get(1);
        assertNull(redirected.header("Authorization"), "not sent to another host");
        assertTrue(redirected.header("User-Agent").startsWith("skyloader/"));
        assertFalse(result.err().contains("t0ken") || result.out().contains("t0ken"));
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            for (Path file : files.toList()) {
                assertFalse(Files.readString(file).contains("t0ken"), "the header is not in " + file);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Range: bytes=0-", "no colon", ": empty name", "Bad Name: x", "host: elsewhere"})
    void aHeaderThatCannotBeSentIsBadInput(String header) {
        CliRunner.Result result = cli.run("get", server.url("/model.bin"), "--sha256", "ab".repeat(32), "-o",
                dir.resolve("out/model.bin").toString(), "--state-dir", dir.resolve("state").toString(), "-H", header);
        assertEquals(2, result.exitCode(), result.err());
        assertTrue(result.err().startsWith("skyloader: --header: "), result.err());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void anOutputUnderAFileFailsWithExitOneNotSeventyFive() throws Exception {
        server.put("/model.bin", plain);
        Files.writeString(dir.resolve("afile"), "in the way");
        CliRunner.Result result = cli.run("get", server.url("/model.bin"), "--sha256", sha256(plain), "-o",
                dir.resolve("afile/model.bin").toString(), "--state-dir", dir.resolve("state").toString());
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("cannot write the output's folder"), result.err());
        assertEquals(1, result.err().lines().filter(l -> l.contains("cannot write")).count(), result.err());
    }

    @Test
    void theCompletionLineGivesTheSizeOfTheDecryptedOutput() throws Exception {
        byte[] artifact = encrypt(dir, plain, "aes-256-gcm", base64Key(3));
        server.put("/a.gcm", artifact);
        CliRunner.Result result = cli.run("get", server.url("/a.gcm"), "--sha256", sha256(artifact), "-o",
                dir.resolve("out/a").toString(), "--state-dir", dir.resolve("state").toString(), "--cipher",
                "aes-256-gcm", "--key-env", "MODEL_KEY");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("(1.9 MiB, " + SIZE + " bytes, SHA-256 verified)"), result.err());
        assertFalse(result.err().contains(artifact.length + " bytes"), "not the size served: " + result.err());
    }

    @Test
    void withoutStateDirTheStateGoesUnderHome() {
        Path home = dir.resolve("home");
        CliRunner.Result result = new CliRunner(Map.of("HOME", home.toString())).run("status");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("no downloads in " + home.resolve(".local/state/skyloader") + "\n", result.out());
    }

    @Test
    void withoutSizeStatusShowsTheTotalTheServerTold() throws Exception {
        server.put("/model.bin", plain);
        server.enqueue(new DropAfter(SIZE / 2), new Status(503, Map.of()));
        assertEquals(75, get("/model.bin", sha256(plain), "--max-attempts", "1", "--reconnect", "none",
                "--connections", "1").exitCode());
        JsonNode status = new ObjectMapper().readTree(cli.run("status", "--json", "--state-dir",
                dir.resolve("state").toString()).out()).get(0);
        assertEquals(SIZE, status.get("expected_size").asLong(), status.toString());
        CliRunner.Result text = cli.run("status", "--state-dir", dir.resolve("state").toString());
        assertTrue(text.out().contains("/ 1.9 MiB (50%)"), text.out());
    }

    @Test
    void helpNamesACommandAndDescribesItsEveryOption() {
        CliRunner.Result help = cli.run("help", "sync");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().startsWith("Usage: skyloader sync "), help.out());
        for (String option : List.of("--out", "--parallel", "--connections", "--limit-rate", "--progress", "--header")) {
            assertTrue(help.out().contains(option), option + " in " + help.out());
        }
    }

    @Test
    void statusPruneForgetsACompleteDownloadWhoseOutputWasRemoved() throws Exception {
        server.put("/model.bin", plain);
        assertEquals(0, get("/model.bin", sha256(plain)).exitCode());
        CliRunner.Result kept = cli.run("status", "--prune", "--state-dir", dir.resolve("state").toString());
        assertTrue(kept.err().contains("pruned 0 records"), kept.err());
        assertTrue(kept.out().contains("complete"), kept.out());

        Files.delete(dir.resolve("out/model.bin"));
        CliRunner.Result pruned = cli.run("status", "--prune", "--state-dir", dir.resolve("state").toString());
        assertEquals(0, pruned.exitCode(), pruned.err());
        assertTrue(pruned.err().contains("pruned 1 record of complete downloads whose output is gone: "
                + dir.resolve("out/model.bin")), pruned.err());
        assertEquals("[]", cli.run("status", "--json", "--state-dir", dir.resolve("state").toString()).out().trim());
    }

    @Test
    void statusListsTheDownloadsOfTheStateDirectory() throws Exception {
        server.put("/model.bin", plain);
        assertEquals(0, get("/model.bin", sha256(plain)).exitCode());
        CliRunner.Result status = cli.run("status", "--state-dir", dir.resolve("state").toString());
        assertEquals(0, status.exitCode());
        assertTrue(status.out().contains("complete"), status.out());
        assertTrue(status.out().contains(dir.resolve("out/model.bin").toString()), status.out());
    }

    /**
     * A resume asks from {@code offset}: to the end, or, when the size is not known yet, for the first piece from
     * there (the answer tells the size).
     */
    static void assertResumesAt(long offset, String range) {
        assertTrue(range != null && range.matches("bytes=" + offset + "-(\\d*)"), "expected a range from " + offset
                + ", got " + range);
    }

    private CliRunner.Result get(String path, String sha256, String... extra) {
        List<String> args = new ArrayList<>(List.of("get", server.url(path), "--sha256", sha256, "-o",
                dir.resolve("out" + path).toString(), "--state-dir", dir.resolve("state").toString(), "--quiet"));
        if (List.of(extra).contains("--stall-timeout")) {
            args.remove("--quiet");
        }
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    /** Encrypts {@code plain} with the {@code encrypt} command, the key in {@code dir/key}; returns the artifact. */
    static byte[] encrypt(Path dir, byte[] plain, String cipher, String base64Key) throws Exception {
        Path input = Files.write(dir.resolve("plain-" + cipher), plain);
        Path keyFile = Files.writeString(dir.resolve("key"), base64Key);
        Path artifact = dir.resolve("artifact-" + cipher);
        CliRunner.Result result = new CliRunner().run("encrypt", input.toString(), "-o", artifact.toString(),
                "--cipher", cipher, "--key-file", keyFile.toString());
        assertEquals(0, result.exitCode(), result.err());
        return Files.readAllBytes(artifact);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static String base64Key(int seed) {
        return Base64.getEncoder().encodeToString(bytes(32, seed));
    }
}
