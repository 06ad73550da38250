package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * A whole {@code sync} of 12 artifacts of every cipher, through a server that drops every connection every 3 MiB, in a
 * child JVM killed with SIGKILL half way, then run again: complete, byte-exact, little fetched twice.
 */
class SyncCrashTest {
    private static final int ARTIFACTS = 12;
    private static final int SIZE = 4 << 20;
    private static final String[] CIPHERS = {"aes-256-gcm", "none", "aes-256-cbc", "aes-256-ctr"};

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
    void aSyncThroughDropsKilledHalfWayFinishesOnTheNextRunFetchingAtMostFivePercentMore() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = json.createObjectNode();
        ArrayNode entries = manifest.putArray("artifacts");
        List<byte[]> plains = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < ARTIFACTS; i++) {
            String cipher = CIPHERS[i % CIPHERS.length];
            byte[] plain = GetCommandTest.bytes(SIZE, 300 + i);
            plains.add(plain);
            String key = GetCommandTest.base64Key(400 + i);
            byte[] served = "none".equals(cipher) ? plain : GetCommandTest.encrypt(dir, plain, cipher, key);
            server.put("/m" + i, served);
            total += served.length;
            ObjectNode entry = entries.addObject().put("name", "m" + i + ".bin").put("url", server.url("/m" + i))
                    .put("sha256", GetCommandTest.sha256(served)).put("size", served.length);
            if (!"none".equals(cipher)) {
                entry.putObject("encryption").put("cipher", cipher).put("key", key);
            }
        }
        Path manifestFile = Files.writeString(dir.resolve("update.json"), json.writeValueAsString(manifest));
        Path out = dir.resolve("out");
        List<String> command = ChildJvm.command("sync",
                manifestFile.toString(), "--out", out.toString(), "--state-dir", dir.resolve("state").toString(),
                "--reconnect", "1ms,1ms,1ms,1ms,1ms", "--quiet", "--parallel", "2");

        // About 16 MiB/s per connection: time enough to kill the run in the middle. Every answer is cut at 3 MiB.
        server.chunkDelay(Duration.ofMillis(4));
        server.cutEvery(3 << 20);
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child-1.log").toFile()).start();
        awaitOnDisk(out, total / 2, child);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, child.exitValue());

        server.chunkDelay(Duration.ZERO);
        ChildJvm.runToTheEnd(command, dir.resolve("child-2.log"));
        for (int i = 0; i < ARTIFACTS; i++) {
            assertArrayEquals(plains.get(i), Files.readAllBytes(out.resolve("m" + i + ".bin")), "m" + i);
        }
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(ARTIFACTS, left.count(), "no part or temporary file left");
        }
        long sent = server.bodyBytesSent();
        System.out.printf("sync of %d artifacts (%d bytes) through drops, killed once: %d bytes sent, %.4f x, %d"
                + " requests%n", ARTIFACTS, total, sent, sent / (double) total, server.requests().size());
        int requests = server.requests().size();
        Process rerun = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child-3.log").toFile()).start();
        assertTrue(rerun.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, rerun.exitValue(), Files.readString(dir.resolve("child-3.log")));
        assertEquals(requests, server.requests().size(), "a third run fetches nothing");
        assertEquals(sent, server.bodyBytesSent());
        assertTrue(sent <= total * 105 / 100, sent + " bytes sent for " + total);
    }

    @Test
    void aSyncStoppedWithSigtermExitsSeventyFiveWithItsJsonResultAndJsonLinesOnly() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = json.createObjectNode();
        ArrayNode entries = manifest.putArray("artifacts");
        for (int i = 0; i < 3; i++) {
            byte[] plain = GetCommandTest.bytes(SIZE, 500 + i);
            server.put("/s" + i, plain);
            entries.addObject().put("name", "s" + i + ".bin").put("url", server.url("/s" + i))
                    .put("sha256", GetCommandTest.sha256(plain)).put("size", plain.length);
        }
        Path manifestFile = Files.writeString(dir.resolve("update.json"), json.writeValueAsString(manifest));
        Path out = dir.resolve("out");
        List<String> command = ChildJvm.command("sync",
                manifestFile.toString(), "--out", out.toString(), "--state-dir", dir.resolve("state").toString(),
                "--json", "--progress", "json", "--parallel", "1");
        server.chunkDelay(Duration.ofMillis(20));
        Process child = new ProcessBuilder(command).redirectOutput(dir.resolve("out.json").toFile())
                .redirectError(dir.resolve("err.jsonl").toFile()).start();
        awaitOnDisk(out, 1 << 20, child);
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "stopped within a container's grace");
        assertEquals(75, child.exitValue(), Files.readString(dir.resolve("err.jsonl")));
        var result = json.readTree(dir.resolve("out.json").toFile());
        assertEquals("not_finished", result.get("outcome").asText());
        assertEquals(75, result.get("exit_code").asInt());
        List<String> kinds = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("err.jsonl"))) {
            if (line.startsWith("WARNING:") || line.startsWith("SLF4J")) {
                continue; // the JVM's own, and the test class path's several logging providers
            }
            kinds.add(json.readTree(line).get("event").asText());
        }
        assertTrue(kinds.contains("error"), "every artifact not done ends with an error event: " + kinds);
    }

    /** Polls the output folder until its files (part files and outputs) hold {@code bytes}. */
    private static void awaitOnDisk(Path out, long bytes, Process child) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            assertTrue(child.isAlive(), "the child ended before it could be killed");
            long present = 0;
            if (Files.isDirectory(out)) {
                try (Stream<Path> files = Files.list(out)) {
                    for (Path file : files.toList()) {
                        try {
                            present += Files.size(file);
                        } catch (IOException gone) {
                            // renamed into place meanwhile
                        }
                    }
                }
            }
            if (present >= bytes) {
                return;
            }
            Thread.sleep(5);
        }
        fail("not " + bytes + " bytes on disk within 60 s");
    }
}
