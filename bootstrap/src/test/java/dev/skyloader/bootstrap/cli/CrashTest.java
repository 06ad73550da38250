package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.adapters.http.TestHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in a child JVM, killed with SIGKILL in the middle of a transfer, then started again: the part file holds the
 * decrypted body at its final offsets (after the 12-byte GCM nonce or 16-byte IV, which the state keeps), the machine
 * did not restart, so the next run resumes from the last byte written, and the result must be byte-exact.
 */
class CrashTest {
    private static final int SIZE = 24 << 20;
    /** What a kill may cost: what was in flight between the server and the part file. */
    private static final long IN_FLIGHT = 1L << 20;

    @TempDir
    Path dir;
    private TestHttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDownloadKilledWithSigkillResumesFromTheLastByteWrittenAndEndsByteExact() throws Exception {
        byte[] plain = GetCommandTest.bytes(SIZE, 99);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(5));
        Path key = dir.resolve("key");
        server.put("/model.gcm", artifact);
        // About 4 s for the whole artifact: time enough to kill the child in the middle.
        server.chunkDelay(Duration.ofMillis(10));

        Path state = dir.resolve("state");
        Path output = dir.resolve("out/model.onnx");
        // One connection: a resume asks from the very byte the killed run wrote last.
        List<String> command = childCommand(server.url("/model.gcm"), GetCommandTest.sha256(artifact), output, state,
                key, "aes-256-gcm", "--connections", "1");
        List<Long> killedAt = new ArrayList<>();
        for (int kill = 1; kill <= 2; kill++) {
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child-" + kill + ".log").toFile()).start();
            awaitPartAtLeast(output, kill * 6L << 20, child);
            JsonNode live = status(state);
            assertEquals("downloading", live.get("state").asText(), live.toString());
            assertTrue(live.get("running").asBoolean(), "its process is alive: " + live);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertNotEquals(0, child.exitValue());
            JsonNode document = stateDocument(state);
            assertEquals("downloading", document.get("state").asText(), "killed mid-transfer");
            JsonNode after = status(state);
            assertEquals("stopped", after.get("state").asText(), "status tells the process is gone: " + after);
            assertFalse(after.get("running").asBoolean());
            assertEquals("downloading", after.get("recorded_state").asText());
            long claimed = document.get("bytes_downloaded").asLong();
            long written = GCM_NONCE + Files.size(Path.of(document.get("temp_file_path").asText()));
            assertTrue(written >= claimed, "the part file holds at least what the state claims");
            assertTrue(document.get("bytes_durable").asLong() <= claimed, "durable never beyond written");
            killedAt.add(written);
        }

        server.chunkDelay(Duration.ZERO);
        ChildJvm.runToTheEnd(command, dir.resolve("child-last.log"));
        assertArrayEquals(plain, Files.readAllBytes(output));

        List<String> ranges = server.requests().stream().map(TestHttpServer.Request::range).toList();
        assertTrue(ranges.contains("bytes=" + killedAt.get(0) + "-"), ranges + " vs " + killedAt);
        assertTrue(ranges.contains("bytes=" + killedAt.get(1) + "-"), ranges + " vs " + killedAt);
        long refetched = server.bodyBytesSent() - artifact.length;
        System.out.printf("killed at %s; bytes fetched again: %d (%.2f MiB per kill)%n", killedAt, refetched,
                refetched / 2.0 / (1 << 20));
        assertTrue(refetched <= 2 * IN_FLIGHT, "a kill costs only what was in flight: " + refetched);
    }

    @Test
    void tenSigkillsAtRandomMomentsNeverCorruptAnythingAndTheResultIsByteExact() throws Exception {
        byte[] plain = GetCommandTest.bytes(SIZE, 77);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-ctr", GetCommandTest.base64Key(7));
        Path key = dir.resolve("key");
        server.put("/model.ctr", artifact);
        server.chunkDelay(Duration.ofMillis(4));
        Path state = dir.resolve("state");
        Path output = dir.resolve("out/model.onnx");
        List<String> command = childCommand(server.url("/model.ctr"), GetCommandTest.sha256(artifact), output, state,
                key, "aes-256-ctr");
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        int kills = 0;
        for (int run = 1; kills < 10; run++) {
            assertTrue(run <= 40, "ten kills within 40 runs (seed " + seed + ")");
            Path log = dir.resolve("run-" + run + ".log");
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // A random moment: during start-up, re-hashing, transferring, or between checkpoints.
            if (child.waitFor(200 + random.nextInt(1500), TimeUnit.MILLISECONDS)) {
                // It finished first: that must be a correct finish. Then start over to keep killing.
                assertEquals(0, child.exitValue(), Files.readString(log));
                assertArrayEquals(plain, Files.readAllBytes(output), "byte-exact (seed " + seed + ")");
                Files.delete(output);
                try (Stream<Path> files = Files.list(state)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                continue;
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            kills++;
            JsonNode document = Files.isDirectory(state) ? stateDocument(state) : null;
            if (document != null && document.hasNonNull("placed_size") && Files.exists(output)) {
                // Killed between the rename into place and the last save: the next run accepts it.
                assertEquals(document.get("placed_size").asLong(), Files.size(output), "seed " + seed);
                assertArrayEquals(plain, Files.readAllBytes(output), "byte-exact (seed " + seed + ")");
                continue;
            }
            if (document != null) {
                long claimed = document.get("bytes_downloaded").asLong();
                Path part = Path.of(document.get("temp_file_path").asText());
                assertTrue(claimed == 0 || CTR_IV + Files.size(part) >= claimed,
                        "the state never claims more than the part file holds (seed " + seed + ")");
            }
            assertFalse(Files.exists(output), "no output before verification (seed " + seed + ")");
        }
        server.chunkDelay(Duration.ZERO);
        ChildJvm.runToTheEnd(command, dir.resolve("last.log"));
        assertArrayEquals(plain, Files.readAllBytes(output), "byte-exact after 10 kills (seed " + seed + ")");
        System.out.printf("10 kills (seed %d): %d bytes served for %d%n", seed, server.bodyBytesSent(),
                artifact.length);
    }

    @Test
    void killsOfFourConnectionsResumeEveryPieceAndCostLittle() throws Exception {
        byte[] plain = GetCommandTest.bytes(SIZE, 41);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-cbc", GetCommandTest.base64Key(4));
        Path key = dir.resolve("key");
        server.put("/model.cbc", artifact);
        server.chunkDelay(Duration.ofMillis(4));
        Path state = dir.resolve("state");
        Path output = dir.resolve("out/model.onnx");
        List<String> command = childCommand(server.url("/model.cbc"), GetCommandTest.sha256(artifact), output, state,
                key, "aes-256-cbc", "--connections", "4", "--piece-size", "2M");
        int kills = 4;
        for (int kill = 1; kill <= kills; kill++) {
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child-" + kill + ".log").toFile()).start();
            awaitStateAtLeast(state, kill * 4L << 20, child);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            JsonNode document = stateDocument(state);
            assertEquals("downloading", document.get("state").asText(), "killed mid-transfer");
            long claimed = document.get("bytes_downloaded").asLong();
            long present = 0;
            for (JsonNode range : document.path("pieces")) {
                assertEquals(0, range.get(0).asLong() % 16, "CBC pieces start on a block");
                present += range.get(1).asLong() - range.get(0).asLong();
            }
            assertTrue(document.path("pieces").isEmpty() || CBC_IV + present == claimed,
                    "the pieces add up to the bytes claimed: " + document);
        }
        server.chunkDelay(Duration.ZERO);
        ChildJvm.runToTheEnd(command, dir.resolve("child-last.log"));
        assertArrayEquals(plain, Files.readAllBytes(output));
        assertTrue(server.requests().stream().anyMatch(r -> r.range() != null && !r.range().startsWith("bytes=0-")
                && !r.range().endsWith("-")), "pieces were asked as closed ranges: " + server.requests());
        long refetched = server.bodyBytesSent() - artifact.length;
        System.out.printf("4 connections, %d kills: bytes fetched again: %d (%.2f MiB per kill)%n", kills, refetched,
                refetched / (double) kills / (1 << 20));
        // What the state had not named yet (1 MiB at most) and what was in flight on four connections.
        assertTrue(refetched <= kills * (1L << 20) + kills * 4 * IN_FLIGHT, "kills cost little: " + refetched);
    }

    @Test
    void sigtermStopsWithinTheGraceMakesTheProgressDurableAndExitsSeventyFive() throws Exception {
        byte[] plain = GetCommandTest.bytes(SIZE, 17);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-ctr", GetCommandTest.base64Key(6));
        Path key = dir.resolve("key");
        server.put("/model.ctr", artifact);
        server.chunkDelay(Duration.ofMillis(10));
        Path state = dir.resolve("state");
        Path output = dir.resolve("out/model.onnx");
        for (String connections : List.of("1", "4")) {
            List<String> command = childCommand(server.url("/model.ctr"), GetCommandTest.sha256(artifact), output,
                    state, key, "aes-256-ctr", "--connections", connections, "--piece-size", "1M");
            command.remove("--quiet");
            Path log = dir.resolve("sigterm-" + connections + ".log");
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            awaitStateAtLeast(state, Files.exists(output.resolveSibling("model.onnx.part"))
                    ? Files.size(output.resolveSibling("model.onnx.part")) + (2L << 20) : 2L << 20, child);
            Instant signalled = Instant.now();
            child.destroy(); // SIGTERM, as docker stop sends
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "stopped within a container's grace");
            Duration took = Duration.between(signalled, Instant.now());
            assertEquals(75, child.exitValue(), Files.readString(log));
            String text = Files.readString(log);
            assertTrue(text.contains("skyloader: stopped at "), text);
            assertTrue(text.contains("run the same command again to resume"), text);
            JsonNode document = stateDocument(state);
            assertEquals("paused", document.get("state").asText(), "the state says no process works on it");
            assertEquals(document.get("bytes_downloaded").asLong(), document.get("bytes_durable").asLong(),
                    "every byte counted is durable: " + document);
            System.out.printf("SIGTERM with %s connection(s): exit 75 after %d ms at %d bytes%n", connections,
                    took.toMillis(), document.get("bytes_downloaded").asLong());
        }
        server.chunkDelay(Duration.ZERO);
        List<String> command = childCommand(server.url("/model.ctr"), GetCommandTest.sha256(artifact), output, state,
                key, "aes-256-ctr", "--connections", "4", "--piece-size", "1M");
        ChildJvm.runToTheEnd(command, dir.resolve("last.log"));
        assertArrayEquals(plain, Files.readAllBytes(output));
        long refetched = server.bodyBytesSent() - artifact.length;
        assertTrue(refetched <= 2 * 4 * IN_FLIGHT, "two stops cost only what was in flight: " + refetched);
    }

    /** Polls the child's state until it claims enough bytes. */
    private static void awaitStateAtLeast(Path state, long bytes, Process child) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            assertTrue(child.isAlive(), "the child ended before it could be killed");
            try {
                JsonNode document = Files.isDirectory(state) ? stateDocument(state) : null;
                if (document != null && document.get("bytes_downloaded").asLong() >= bytes) {
                    return;
                }
            } catch (IOException e) {
                // a document being replaced: read it again
            }
            Thread.sleep(5);
        }
        fail("no state claiming " + bytes + " bytes within 60 s");
    }

    private static final int CBC_IV = 16;

    @Test
    void aSecondRunForTheSameDownloadIsRefusedWhileAnotherProcessHoldsIt() throws Exception {
        byte[] plain = GetCommandTest.bytes(8 << 20, 7);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(6));
        Path key = dir.resolve("key");
        server.put("/model.gcm", artifact);
        server.chunkDelay(Duration.ofMillis(20));
        Path state = dir.resolve("state");
        Path output = dir.resolve("out/model.onnx");
        String sha = GetCommandTest.sha256(artifact);
        List<String> command = childCommand(server.url("/model.gcm"), sha, output, state, key);
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            awaitPartAtLeast(output, 1, child);
            int requestsBefore = server.requests().size();
            CliRunner.Result second = new CliRunner().run("get", server.url("/model.gcm"), "--sha256", sha, "-o",
                    output.toString(), "--state-dir", state.toString(), "--cipher", "aes-256-gcm", "--key-file",
                    key.toString());
            assertEquals(75, second.exitCode(), second.err());
            assertTrue(second.err().contains("another skyloader process (pid " + child.pid() + ")"), second.err());
            assertEquals(requestsBefore, server.requests().size(), "the second run fetched nothing");
            server.chunkDelay(Duration.ZERO);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), Files.readString(dir.resolve("child.log")));
            assertArrayEquals(plain, Files.readAllBytes(output));
        } finally {
            child.destroyForcibly();
        }
    }

    private static final int GCM_NONCE = 12;
    private static final int CTR_IV = 16;

    private static List<String> childCommand(String url, String sha256, Path output, Path state, Path key) {
        return childCommand(url, sha256, output, state, key, "aes-256-gcm");
    }

    private static List<String> childCommand(String url, String sha256, Path output, Path state, Path key,
                                             String cipher, String... extra) {
        List<String> command = ChildJvm.command("get", url,
                "--sha256", sha256, "-o", output.toString(), "--state-dir", state.toString(), "--cipher", cipher,
                "--key-file", key.toString(), "--reconnect", "none", "--quiet");
        command.addAll(List.of(extra));
        return command;
    }

    /** Polls the child's part file until it holds enough bytes. */
    static void awaitPartAtLeast(Path output, long bytes, Process child) throws Exception {
        Path part = Path.of(output + ".part");
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            assertTrue(child.isAlive(), "the child ended before it could be killed");
            if (Files.exists(part) && Files.size(part) >= bytes) {
                return;
            }
            Thread.sleep(5);
        }
        fail("no part file of " + bytes + " bytes within 60 s");
    }

    /** What {@code status --json} says of the one download in {@code state}. */
    private static JsonNode status(Path state) throws IOException {
        CliRunner.Result result = new CliRunner().run("status", "--json", "--state-dir", state.toString());
        assertEquals(0, result.exitCode(), result.err());
        return new ObjectMapper().readTree(result.out()).get(0);
    }

    private static JsonNode stateDocument(Path state) throws IOException {
        try (Stream<Path> files = Files.list(state)) {
            Path document = files.filter(p -> p.getFileName().toString().endsWith(".json")).findFirst().orElse(null);
            return document == null ? null : new ObjectMapper().readTree(document.toFile());
        }
    }
}
