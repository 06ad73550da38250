package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.adapters.http.TestHttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delta update in a child JVM killed with SIGKILL while it fetches the gaps: the next run keeps the blocks taken
 * from the seed and the gaps fetched so far (the piece map names them), fetches the rest, and ends byte-exact.
 */
class DeltaCrashTest {
    private static final int SIZE = 16 << 20;
    private static final int EDITS = 12;
    private static final int EDIT = 128 << 10;

    @TempDir
    Path dir;
    private TestHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** {@code EDITS} inserts of new bytes spread over the old version: every block after each one shifts. */
    private static byte[] newVersion(byte[] old) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int step = old.length / EDITS;
        for (int i = 0; i < EDITS; i++) {
            out.write(old, i * step, step);
            out.write(GetCommandTest.bytes(EDIT, 100 + i), 0, EDIT);
        }
        return out.toByteArray();
    }

    @Test
    void aDeltaKilledWhileFetchingTheGapsResumesAndEndsByteExact() throws Exception {
        byte[] old = GetCommandTest.bytes(SIZE, 5);
        byte[] plain = newVersion(old);
        Files.writeString(dir.resolve("key"), GetCommandTest.base64Key(6));
        Path artifact = DeltaCommandTest.encryptWithIndex(dir, plain, "aes-256-gcm", "a.gcm");
        byte[] served = Files.readAllBytes(artifact);
        server.put("/a.gcm", served);
        server.put("/a.gcm.zsync", Files.readAllBytes(Path.of(artifact + ".zsync")));
        String sha = GetCommandTest.sha256(served);

        // One delta, undisturbed, in this JVM: what it costs.
        Path reference = Files.createDirectories(dir.resolve("reference"));
        Files.write(reference.resolve("model.bin"), old);
        CliRunner.Result once = new CliRunner().run("get", server.url("/a.gcm"), "--sha256", sha, "-o",
                reference.resolve("model.bin").toString(), "--state-dir", dir.resolve("state-ref").toString(),
                "--cipher", "aes-256-gcm", "--key-file", dir.resolve("key").toString(), "--delta-index", "auto",
                "--quiet", "--connections", "1");
        assertEquals(0, once.exitCode(), once.err());
        long oneDelta = server.bodyBytesSent();
        assertTrue(oneDelta < SIZE / 4, "a delta, not a whole download: " + oneDelta);

        Path output = Files.createDirectories(dir.resolve("out")).resolve("model.bin");
        Files.write(output, old);
        Path state = dir.resolve("state");
        List<String> command = ChildJvm.command("get", server.url("/a.gcm"), "--sha256", sha, "-o",
                output.toString(), "--state-dir", state.toString(), "--cipher", "aes-256-gcm", "--key-file",
                dir.resolve("key").toString(), "--delta-index", "auto", "--reconnect", "none", "--quiet",
                "--connections", "1");
        // Slow enough to kill in the middle of the gaps.
        server.chunkDelay(Duration.ofMillis(15));
        long before = server.bodyBytesSent();
        for (int kill = 1; kill <= 2; kill++) {
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child-" + kill + ".log").toFile()).start();
            awaitSent(before + kill * oneDelta / 3, child);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            JsonNode document = stateDocument(state);
            assertEquals(old.length, Files.size(output), "the old version stays until the new one is verified");
            assertArrayEquals(old, Files.readAllBytes(output));
            assertNotNull(document, "the state was saved before the kill");
        }
        server.chunkDelay(Duration.ZERO);
        ChildJvm.runToTheEnd(command, dir.resolve("child-last.log"));
        assertArrayEquals(plain, Files.readAllBytes(output));
        long killed = server.bodyBytesSent() - before;
        System.out.printf("one delta: %d bytes; with 2 kills: %d (%.3fx)%n", oneDelta, killed,
                killed / (double) oneDelta);
        // What was in flight at each kill, and what the state had not named yet (up to 512 KiB each).
        assertTrue(killed <= oneDelta + 2 * (1L << 20), "kills cost little: " + killed + " for " + oneDelta);
        long indexFetches = server.requests().stream().filter(r -> r.path().endsWith(".zsync")).count();
        assertTrue(indexFetches <= 4, "the index is fetched once per run at most: " + indexFetches);
    }

    private void awaitSent(long bytes, Process child) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            assertTrue(child.isAlive(), "the child ended before it could be killed");
            if (server.bodyBytesSent() >= bytes) {
                return;
            }
            Thread.sleep(5);
        }
        fail("not " + bytes + " bytes sent within 60 s");
    }

    private static JsonNode stateDocument(Path state) throws Exception {
        try (Stream<Path> files = Files.list(state)) {
            Path document = files.filter(p -> p.getFileName().toString().endsWith(".json")).findFirst().orElse(null);
            return document == null ? null : new ObjectMapper().readTree(document.toFile());
        }
    }
}
