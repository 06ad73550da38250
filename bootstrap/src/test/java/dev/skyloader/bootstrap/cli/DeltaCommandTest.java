package dev.skyloader.bootstrap.cli;

import static dev.skyloader.bootstrap.cli.GetCommandTest.bytes;
import static dev.skyloader.bootstrap.cli.GetCommandTest.sha256;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.adapters.http.TestHttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delta updates end to end: the publisher's {@code encrypt --delta-index}, a real HTTP server, the device's
 * {@code get --delta-index}, with the old version at the output. Every byte the server sends is counted.
 */
class DeltaCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 3 << 20;
    /** What the edits of {@link #newVersion} add: an overwrite and an insert. */
    private static final int NEW_BYTES = 20_000 + 10_000;

    @TempDir
    Path dir;
    private TestHttpServer server;
    private final CliRunner cli = new CliRunner();
    private final byte[] old = bytes(SIZE, 1);
    private final byte[] plain = newVersion(old);

    @BeforeEach
    void start() throws Exception {
        server = TestHttpServer.start();
        Files.createDirectories(dir.resolve("out"));
        Files.writeString(dir.resolve("key"), Base64.getEncoder().encodeToString(bytes(32, 7)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** An overwrite, an insert and a delete that shift every block after them, and a stretch moved to the front. */
    static byte[] newVersion(byte[] old) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(old, old.length - 100_000, 100_000);
        out.write(old, 0, 500_000);
        out.write(bytes(20_000, 2), 0, 20_000);
        out.write(old, 520_000, 700_000);
        out.write(bytes(10_000, 3), 0, 10_000);
        out.write(old, 1_220_000, 800_000);
        out.write(old, 2_027_000, old.length - 100_000 - 2_027_000);
        return out.toByteArray();
    }

    /** Publishes {@code content} as /a.CIPHER with its control file beside it; returns the artifact's SHA-256. */
    private String publish(byte[] content, String cipher) throws Exception {
        Path artifact = encryptWithIndex(dir, content, cipher, "a." + cipher);
        server.put("/a." + cipher, Files.readAllBytes(artifact));
        server.put("/a." + cipher + ".zsync", Files.readAllBytes(Path.of(artifact + ".zsync")));
        return sha256(Files.readAllBytes(artifact));
    }

    /**
     * The publisher's side: {@code encrypt --delta-index} of {@code content} into {@code dir/name} and
     * {@code dir/name.zsync}, with the key in {@code dir/key} unless the cipher is none; returns the artifact.
     */
    static Path encryptWithIndex(Path dir, byte[] content, String cipher, String name) throws Exception {
        Path input = Files.write(dir.resolve("plain"), content);
        Path artifact = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("encrypt", input.toString(), "-o", artifact.toString(),
                "--cipher", cipher, "--delta-index"));
        if (!cipher.equals("none")) {
            args.addAll(List.of("--key-file", dir.resolve("key").toString()));
        }
        CliRunner.Result result = new CliRunner().run(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("delta-index " + artifact + ".zsync"), result.out());
        return artifact;
    }

    private CliRunner.Result get(String cipher, String sha256, String... extra) {
        List<String> args = new ArrayList<>(List.of("get", server.url("/a." + cipher), "--sha256", sha256, "-o",
                output().toString(), "--state-dir", dir.resolve("state").toString(), "--json",
                "--cipher", cipher, "--reconnect", "none"));
        if (!List.of(extra).contains("--progress")) {
            args.addAll(List.of("--progress", "none"));
        }
        if (!cipher.equals("none")) {
            args.addAll(List.of("--key-file", dir.resolve("key").toString()));
        }
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    private Path output() {
        return dir.resolve("out/model.bin");
    }

    private long indexBytes(String cipher) throws Exception {
        return Files.size(dir.resolve("a." + cipher + ".zsync"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "aes-256-gcm", "aes-256-cbc", "aes-256-ctr"})
    void fetchesOnlyWhatChangedSinceTheVersionAtTheOutput(String cipher) throws Exception {
        String sha = publish(plain, cipher);
        Files.write(output(), old);

        CliRunner.Result result = get(cipher, sha, "--delta-index", "auto");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        long sent = server.bodyBytesSent();
        long index = indexBytes(cipher);
        // The new bytes, up to two 2 KiB blocks around each of 5 edits, the GCM tag or CBC padding, the control file.
        assertTrue(sent <= index + NEW_BYTES + 10 * 2048 + 64, sent + " bytes sent, the index " + index);
        assertTrue(sent >= index + NEW_BYTES, "the new bytes cannot come from the seed: " + sent);
        JsonNode download = JSON.readTree(result.out()).get("download");
        long reused = download.get("bytes_reused").asLong();
        assertTrue(reused >= plain.length - NEW_BYTES - 10 * 2048, "reused " + reused);
        assertEquals(download.get("bytes_downloaded").asLong() - reused, download.get("bytes_fetched").asLong());
        assertTrue(result.err().isEmpty(), result.err());
        // Every piece was a single range: S3 and most CDNs refuse more than one.
        for (TestHttpServer.Request request : server.requests()) {
            assertTrue(request.range() == null || !request.range().contains(","), request.range());
        }
    }

    @Test
    void aSeedGivenWithSeedIsUsedWhenThereIsNoOutputYet() throws Exception {
        String sha = publish(plain, "aes-256-gcm");
        Path seed = Files.write(dir.resolve("old-model.bin"), old);

        CliRunner.Result result = get("aes-256-gcm", sha, "--delta-index", server.url("/a.aes-256-gcm.zsync"),
                "--seed", seed.toString());

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        assertTrue(server.bodyBytesSent() <= indexBytes("aes-256-gcm") + NEW_BYTES + 10 * 2048 + 64);
        assertArrayEquals(old, Files.readAllBytes(seed), "a seed is only read");
    }

    @Test
    void aSeedThatSharesNothingCostsTheWholeArtifactAndTheIndexAndNoMore() throws Exception {
        String sha = publish(plain, "aes-256-ctr");
        Files.write(output(), bytes(SIZE, 99));

        CliRunner.Result result = get("aes-256-ctr", sha, "--delta-index", "auto");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        long artifact = plain.length + 16;
        assertTrue(server.bodyBytesSent() <= artifact * 101 / 100 + indexBytes("aes-256-ctr"),
                server.bodyBytesSent() + " sent");
        assertEquals(0, JSON.readTree(result.out()).get("download").get("bytes_reused").asLong());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "aes-256-gcm"})
    void aCorruptOrTruncatedIndexIsAWarningAndTheArtifactComesWhole(String cipher) throws Exception {
        String sha = publish(plain, cipher);
        byte[] index = Files.readAllBytes(dir.resolve("a." + cipher + ".zsync"));
        server.put("/a." + cipher + ".zsync", java.util.Arrays.copyOf(index, index.length - 100));
        Files.write(output(), old);

        CliRunner.Result result = get(cipher, sha, "--delta-index", "auto", "--progress", "plain");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        assertTrue(result.err().contains("cannot be used (" + (cipher.equals("none")
                ? "the control file has" : "it does not decrypt with the artifact's key")), result.err());
        assertTrue(result.err().contains("fetching the artifact whole"), result.err());
        assertEquals(0, JSON.readTree(result.out()).get("download").get("bytes_reused").asLong());
    }

    @Test
    void anIndexThatIsNotThereIsAWarningAndTheArtifactComesWhole() throws Exception {
        String sha = publish(plain, "none");
        Files.write(output(), old);

        CliRunner.Result result = get("none", sha, "--delta-index", server.url("/missing.zsync"), "--progress",
                "plain");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        assertTrue(result.err().contains("cannot fetch the delta index"), result.err());
        assertTrue(result.err().contains("fetching the artifact whole"), result.err());
        assertEquals(0, JSON.readTree(result.out()).get("download").get("bytes_reused").asLong(), "not tried again");
    }

    /**
     * The link fails while the control file or the header is asked for: the attempt fails and waits as any does,
     * and the next attempt tries the delta again. A whole download would cost the metered link the whole artifact.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aLinkThatFailsBeforeTheDeltaRetriesTheDeltaNotAWholeDownload(int failures) throws Exception {
        String sha = publish(plain, "aes-256-ctr");
        Files.write(output(), old);
        // The link is down for the index and for the probe of the artifact's source that tells a link from a broken
        // index; with two failures, the next attempt gets the index and then fails on the header's request.
        TestHttpServer.Status down = new TestHttpServer.Status(503, Map.of());
        server.enqueue(down, down);
        if (failures == 2) {
            server.enqueue(new TestHttpServer.Pass(), down);
        }

        CliRunner.Result result = get("aes-256-ctr", sha, "--delta-index", "auto", "--backoff", "1ms",
                "--progress", "plain");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        assertTrue(server.bodyBytesSent() <= indexBytes("aes-256-ctr") + NEW_BYTES + 10 * 2048 + 64,
                server.bodyBytesSent() + " sent: " + result.err());
        assertTrue(JSON.readTree(result.out()).get("download").get("bytes_reused").asLong() > plain.length / 2);
        try (var left = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("model.bin"), left.map(p -> p.getFileName().toString()).toList(),
                    "the kept control file is gone once the delta is applied");
        }
    }

    @Test
    void aControlFileFetchedByARunThatStoppedIsNotFetchedAgain() throws Exception {
        String sha = publish(plain, "aes-256-gcm");
        Files.write(output(), old);
        // The index arrives, then the header request fails for good in this run (--max-attempts 1).
        server.enqueue(new TestHttpServer.Pass(), new TestHttpServer.Status(503, Map.of()));
        CliRunner.Result first = get("aes-256-gcm", sha, "--delta-index", "auto", "--max-attempts", "1");
        assertEquals(75, first.exitCode(), first.err());
        long afterFirst = server.bodyBytesSent();
        assertEquals(indexBytes("aes-256-gcm"), afterFirst, "the index, and nothing of the artifact");

        CliRunner.Result second = get("aes-256-gcm", sha, "--delta-index", "auto");

        assertEquals(0, second.exitCode(), second.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        assertEquals(1, server.requests().stream().filter(r -> r.path().endsWith(".zsync")).count(),
                "the second run used the control file the first one kept");
        try (var left = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("model.bin"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aKeptControlFileIsCleanedUpByARunThatCompletesWithoutADelta() throws Exception {
        String sha = publish(plain, "aes-256-gcm");
        Files.write(output(), old);
        server.enqueue(new TestHttpServer.Pass(), new TestHttpServer.Status(503, Map.of()));
        assertEquals(75, get("aes-256-gcm", sha, "--delta-index", "auto", "--max-attempts", "1").exitCode());
        try (var left = Files.list(dir.resolve("out"))) {
            assertTrue(left.anyMatch(p -> p.getFileName().toString().endsWith(".zsync")), "kept for the next run");
        }

        CliRunner.Result whole = get("aes-256-gcm", sha);

        assertEquals(0, whole.exitCode(), whole.err());
        try (var left = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("model.bin"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    /**
     * A control file that does not describe the artifact (a publisher's mistake; for a seed, a block changed after
     * it was matched would do the same): the SHA-256 of the result is wrong, the delta is dropped, and the artifact
     * is fetched whole, counted as one restart. Never a wrong output.
     */
    @Test
    void aDeltaThatGivesAWrongResultIsDroppedAndTheArtifactFetchedWhole() throws Exception {
        String sha = publish(plain, "aes-256-gcm");
        byte[] artifact = Files.readAllBytes(dir.resolve("a.aes-256-gcm"));
        // The index of the old version (made as long as the new one, so that its length gives nothing away), served
        // as the new one's.
        publish(java.util.Arrays.copyOf(old, plain.length), "aes-256-gcm");
        server.put("/a.aes-256-gcm", artifact);
        Files.write(output(), old);

        CliRunner.Result result = get("aes-256-gcm", sha, "--delta-index", "auto");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        JsonNode download = JSON.readTree(result.out()).get("download");
        assertEquals(1, download.get("restarts").asInt());
        assertEquals(0, download.get("bytes_reused").asLong());
        assertTrue(server.bodyBytesSent() <= artifact.length + 2 * indexBytes("aes-256-gcm") + 64 * 1024,
                server.bodyBytesSent() + " sent");
    }

    @Test
    void aRerunAfterCompletionFetchesNothingAndASecondDeltaIsNotTried() throws Exception {
        String sha = publish(plain, "none");
        Files.write(output(), old);
        assertEquals(0, get("none", sha, "--delta-index", "auto").exitCode());
        int requests = server.requests().size();

        CliRunner.Result again = get("none", sha, "--delta-index", "auto");

        assertEquals(0, again.exitCode(), again.err());
        assertEquals(requests, server.requests().size(), "nothing fetched, not even the index");
        CliRunner.Result status = cli.run("status", "--state-dir", dir.resolve("state").toString());
        assertTrue(status.out().contains("delta update: ") && status.out().contains(" reused from local files, "),
                status.out());
    }

    @Test
    void badDeltaOptionsAreOneLineAndExitTwo() throws Exception {
        String sha = publish(plain, "none");
        CliRunner.Result noIndex = get("none", sha, "--seed", dir.resolve("key").toString());
        assertEquals(2, noIndex.exitCode());
        assertEquals("skyloader: --seed needs --delta-index URL|auto (where the blocks are described)\n",
                noIndex.err());
        CliRunner.Result missing = get("none", sha, "--delta-index", "auto", "--seed", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith("skyloader: --seed: no such file: "), missing.err());
        CliRunner.Result folder = get("none", sha, "--delta-index", "auto", "--seed", dir.toString());
        assertEquals(2, folder.exitCode());
        assertTrue(folder.err().startsWith("skyloader: --seed: cannot read ") && folder.err().endsWith(" (a folder)\n"),
                folder.err());
        CliRunner.Result badUrl = get("none", sha, "--delta-index", "ftp://x/y");
        assertEquals(2, badUrl.exitCode());
        assertTrue(badUrl.err().startsWith("skyloader: --delta-index: "), badUrl.err());
        assertEquals(0, server.requests().size(), "nothing fetched for bad input");
        assertFalse(Files.exists(output()));
    }

    @Test
    void autoPutsZsyncAtTheEndOfThePathWithoutTheArtifactsQuery() {
        assertEquals("https://cdn.example/m/a.bin.zsync", Inputs.autoIndex(
                new dev.skyloader.domain.SourceUrl("https://cdn.example/m/a.bin?X-Amz-Signature=abc")).value());
        assertEquals("s3://bucket/models/a.bin.zsync",
                Inputs.autoIndex(new dev.skyloader.domain.SourceUrl("s3://bucket/models/a.bin")).value());
    }

    @Test
    void encryptWritesAControlFileThatOnlyTheKeyOpens() throws Exception {
        publish(plain, "aes-256-gcm");
        byte[] index = Files.readAllBytes(dir.resolve("a.aes-256-gcm.zsync"));
        assertFalse(new String(index, java.nio.charset.StandardCharsets.ISO_8859_1).contains("zsync"),
                "encrypted: no header in the clear");
        publish(plain, "none");
        String clear = new String(Files.readAllBytes(dir.resolve("a.none.zsync")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(clear.startsWith("zsync: 0.6.2\nFilename: a.none\n"), clear.substring(0, 40));
        assertTrue(clear.contains("\nLength: " + plain.length + "\n"));
        CliRunner.Result json = cli.run("encrypt", dir.resolve("plain").toString(), "-o",
                dir.resolve("b.gcm").toString(), "--cipher", "aes-256-gcm", "--key-file", dir.resolve("key").toString(),
                "--delta-index", "--block-size", "4K", "--url", "https://cdn.example/b.gcm?sig=x", "--json",
                "--name", "detector.onnx");
        assertEquals(0, json.exitCode(), json.err());
        assertEquals("https://cdn.example/b.gcm.zsync", JSON.readTree(json.out()).get("delta_index").asText());
        assertEquals("detector.onnx", JSON.readTree(json.out()).get("name").asText(), "the name on the devices");
        CliRunner.Result badName = cli.run("encrypt", dir.resolve("plain").toString(), "-o",
                dir.resolve("c").toString(), "--cipher", "none", "--name", "../x");
        assertEquals(2, badName.exitCode());
        assertTrue(badName.err().startsWith("skyloader: --name "), badName.err());
        assertEquals(2, cli.run("encrypt", dir.resolve("plain").toString(), "-o", dir.resolve("c").toString(),
                "--cipher", "none", "--block-size", "4096").exitCode(), "--block-size alone");
        assertEquals(2, cli.run("encrypt", dir.resolve("plain").toString(), "-o", dir.resolve("c").toString(),
                "--cipher", "none", "--delta-index", "--block-size", "3000").exitCode());
    }

    @Test
    void syncTakesDeltaIndexAndSeedsFromTheManifest() throws Exception {
        String gcm = publish(plain, "aes-256-gcm");
        String none = publish(plain, "none");
        String key = Files.readString(dir.resolve("key")).trim();
        Files.write(dir.resolve("out/model.gcm"), old);
        Files.write(dir.resolve("out/old-model.bin"), old);
        String manifest = """
                {"artifacts": [
                  {"name": "model.gcm", "url": "%s", "sha256": "%s", "size": %d, "delta_index": "auto",
                   "encryption": {"cipher": "aes-256-gcm", "key": "%s"}},
                  {"name": "model.bin", "url": "%s", "sha256": "%s", "delta_index": "%s", "seeds": ["old-model.bin"]}
                ]}""".formatted(server.url("/a.aes-256-gcm"), gcm, plain.length + 28, key, server.url("/a.none"),
                none, server.url("/a.none.zsync"));
        Path file = Files.writeString(dir.resolve("manifest.json"), manifest);

        CliRunner.Result result = cli.run("sync", file.toString(), "--out", dir.resolve("out").toString(),
                "--state-dir", dir.resolve("state").toString(), "--quiet", "--reconnect", "none");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.gcm")));
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model.bin")));
        long indexes = indexBytes("aes-256-gcm") + indexBytes("none");
        assertTrue(server.bodyBytesSent() <= indexes + 2 * (NEW_BYTES + 10 * 2048 + 64),
                server.bodyBytesSent() + " sent");
    }

    @Test
    void aManifestWithBadDeltaFieldsIsOneLineAndExitTwo() throws Exception {
        String[][] cases = {
                {"\"delta_index\": 5", "manifest: artifacts[0] (m): \"delta_index\" must be a URL or \"auto\""},
                {"\"delta_index\": \"auto\", \"seeds\": \"x\"",
                        "manifest: artifacts[0] (m): \"seeds\" must be a list of names of files in the output folder"},
                {"\"seeds\": [\"x\"]", "manifest: artifacts[0] (m): \"seeds\" needs \"delta_index\" (where the "
                        + "blocks are described)"},
                {"\"delta_index\": \"auto\", \"seeds\": [\"../x\"]", "manifest: artifacts[0] (m): seeds[0] "},
                {"\"delta_index\": \"auto\", \"seeds\": [7]", "manifest: artifacts[0] (m): seeds[0] is not a string"}};
        for (String[] each : cases) {
            Path file = Files.writeString(dir.resolve("bad.json"), "{\"artifacts\": [{\"name\": \"m\", \"url\": "
                    + "\"http://127.0.0.1:1/m\", \"sha256\": \"" + "0".repeat(64) + "\", " + each[0] + "}]}");
            CliRunner.Result result = cli.run("sync", file.toString(), "--out", dir.resolve("out").toString(),
                    "--state-dir", dir.resolve("state").toString());
            assertEquals(2, result.exitCode(), each[0] + ": " + result.err());
            assertTrue(result.err().startsWith("skyloader: " + each[1]), result.err());
            assertEquals(1, result.err().lines().count(), result.err());
        }
    }

    @Test
    void jsonProgressHasADeltaEventAndTheDoneEventSaysWhatWasReusedAndFetched() throws Exception {
        String sha = publish(plain, "none");
        Files.write(output(), old);

        CliRunner.Result result = get("none", sha, "--delta-index", "auto", "--progress", "json");

        assertEquals(0, result.exitCode(), result.err());
        List<JsonNode> events = new ArrayList<>();
        for (String line : result.err().split("\n")) {
            events.add(JSON.readTree(line));
        }
        JsonNode delta = events.stream().filter(e -> e.get("event").asText().equals("delta")).findFirst()
                .orElseThrow(() -> new AssertionError(result.err()));
        JsonNode done = events.get(events.size() - 1);
        assertEquals("done", done.get("event").asText());
        assertEquals(plain.length, delta.get("total").asLong());
        assertEquals(delta.get("bytes_reused").asLong(), done.get("bytes_reused").asLong());
        assertEquals(plain.length - delta.get("bytes_reused").asLong(), done.get("bytes_fetched").asLong());
        assertTrue(delta.get("message").asText().startsWith("delta: "), delta.toString());
    }

    private static boolean installed(String tool) {
        return java.util.stream.Stream.of("/usr/bin/", "/usr/local/bin/", "/bin/")
                .anyMatch(folder -> Files.isExecutable(Path.of(folder + tool)));
    }

    private static void run(Path folder, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("tool.log").toFile()).start();
        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), Files.readString(folder.resolve("tool.log")));
    }

    /** Interop: a control file written by zsyncmake itself, where it is installed (the fixture test runs anywhere). */
    @Test
    void aControlFileMadeByZsyncmakeServesAPlainDelta() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(installed("zsyncmake"), "zsyncmake is not installed");
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.write(www.resolve("a.none"), plain);
        run(www, "zsyncmake", "-b", "2048", "-u", "a.none", "-o", "a.none.zsync", "a.none");
        server.put("/a.none", plain);
        server.put("/a.none.zsync", Files.readAllBytes(www.resolve("a.none.zsync")));
        Files.write(output(), old);

        CliRunner.Result result = get("none", sha256(plain), "--delta-index", "auto");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(output()));
        long index = Files.size(www.resolve("a.none.zsync"));
        assertTrue(server.bodyBytesSent() <= index + NEW_BYTES + 10 * 2048, server.bodyBytesSent() + " sent");
    }
}
