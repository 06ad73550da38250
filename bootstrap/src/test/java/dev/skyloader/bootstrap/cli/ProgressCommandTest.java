package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.adapters.http.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --progress} end to end: JSON lines a machine parses, and the bar on a real pseudo-terminal. */
class ProgressCommandTest {
    private static final int SIZE = 3_000_000;

    @TempDir
    Path dir;
    private TestHttpServer server;
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
    void progressJsonWritesOnlyJsonLinesOnStderrAndGetJsonKeepsItsResultOnStdout() throws Exception {
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(2));
        server.put("/m.gcm", artifact);
        server.enqueue(new TestHttpServer.DropAfter(1_000_000));
        CliRunner.Result result = new CliRunner(Map.of("K", GetCommandTest.base64Key(2))).run("get",
                server.url("/m.gcm"), "--sha256", GetCommandTest.sha256(artifact), "-o", dir.resolve("out/m").toString(),
                "--state-dir", dir.resolve("state").toString(), "--cipher", "aes-256-gcm", "--key-env", "K",
                "--progress", "json", "--progress-interval", "1ms", "--reconnect", "none", "--connections", "1",
                "--json");
        assertEquals(0, result.exitCode(), result.err());
        ObjectMapper mapper = new ObjectMapper();
        List<String> kinds = new ArrayList<>();
        long last = -1;
        for (String line : result.err().split("\n")) {
            JsonNode event = mapper.readTree(line);
            kinds.add(event.get("event").asText());
            if (event.has("bytes") && !event.get("event").asText().equals("done")) {
                assertTrue(event.get("bytes").asLong() >= last, "bytes never go down: " + line);
                last = event.get("bytes").asLong();
            }
        }
        assertEquals("start", kinds.get(0));
        assertTrue(kinds.contains("progress") && kinds.contains("retry") && kinds.contains("verify")
                && kinds.contains("decrypt"), kinds.toString());
        assertEquals("done", kinds.get(kinds.size() - 1));
        JsonNode outcome = mapper.readTree(result.out());
        assertEquals("complete", outcome.get("outcome").asText(), "one result object on stdout");
    }

    @Test
    void theBarIsRedrawnInPlaceOnAPseudoTerminal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script (util-linux) gives the child a terminal");
        server.put("/m.bin", plain);
        server.chunkDelay(Duration.ofMillis(40)); // about 1.5 MiB/s: a few redraws
        List<String> command = ChildJvm.command("get",
                server.url("/m.bin"), "--sha256", GetCommandTest.sha256(plain), "-o", dir.resolve("out/m").toString(),
                "--state-dir", dir.resolve("state").toString());
        String quoted = String.join(" ", command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        Path typescript = dir.resolve("typescript");
        Process child = new ProcessBuilder("/usr/bin/script", "-qec", quoted, typescript.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("script.log").toFile()).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), Files.readString(dir.resolve("script.log")));
        String screen = Files.readString(typescript);
        assertTrue(screen.contains("\r") && screen.contains("\u001b[K"), "redrawn in place: " + screen);
        assertTrue(screen.contains("m  ") && screen.contains("% ["), screen);
        assertFalse(screen.matches("(?s).*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ skyloader.*"),
                "no plain log lines on a terminal: " + screen);
        assertTrue(screen.contains("skyloader: complete: "), screen);
    }
}
