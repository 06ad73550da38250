package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input: one line naming the problem, exit code 2, no stack trace, nothing written. */
class BadInputTest {
    private static final String SHA = "ab".repeat(32);
    private static final String URL = "http://127.0.0.1:9/model.bin";

    @TempDir
    Path dir;

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("short SHA-256", List.of(URL, "--sha256", "abc123"), "64 hex"),
                Arguments.of("non-hex SHA-256", List.of(URL, "--sha256", "zz".repeat(32)), "hex"),
                Arguments.of("unknown cipher", List.of(URL, "--sha256", SHA, "--cipher", "rot13"), "rot13"),
                Arguments.of("unsupported scheme", List.of("ftp://host/model.bin", "--sha256", SHA), "ftp"),
                Arguments.of("not a URL", List.of("model.bin", "--sha256", SHA), "URL"),
                Arguments.of("negative size", List.of(URL, "--sha256", SHA, "--size", "-5"), "--size"),
                Arguments.of("missing SHA-256", List.of(URL), "--sha256"),
                Arguments.of("cipher without key", List.of(URL, "--sha256", SHA, "--cipher", "aes-256-gcm"), "key"),
                Arguments.of("key of the wrong length", List.of(URL, "--sha256", SHA, "--cipher", "aes-256-gcm",
                        "--key-env", "SHORT_KEY"), "32 bytes"),
                Arguments.of("unset key variable", List.of(URL, "--sha256", SHA, "--cipher", "aes-256-ctr",
                        "--key-env", "NOT_SET"), "NOT_SET"),
                Arguments.of("missing key file", List.of(URL, "--sha256", SHA, "--cipher", "aes-256-ctr",
                        "--key-file", "/nonexistent/key"), "--key-file"),
                Arguments.of("key for no cipher", List.of(URL, "--sha256", SHA, "--key-env", "SHORT_KEY"), "key"),
                Arguments.of("bad duration", List.of(URL, "--sha256", SHA, "--stall-timeout", "soon"), "duration"),
                Arguments.of("bad backoff", List.of(URL, "--sha256", SHA, "--backoff", "1m,,5m"), "--backoff"),
                Arguments.of("zero attempts", List.of(URL, "--sha256", SHA, "--max-attempts", "0"), "--max-attempts"),
                Arguments.of("not a number", List.of(URL, "--sha256", SHA, "--max-restarts", "many"), "many"),
                Arguments.of("zero rate", List.of(URL, "--sha256", SHA, "--limit-rate", "0"), "--limit-rate"),
                Arguments.of("not a rate", List.of(URL, "--sha256", SHA, "--limit-rate", "fast"), "--limit-rate"),
                Arguments.of("unknown option", List.of(URL, "--sha256", SHA, "--turbo"), "--turbo"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void isRefusedWithOneLineAndExitTwo(String name, List<String> args, String mentioned) throws Exception {
        List<String> all = new ArrayList<>(List.of("get"));
        all.addAll(args);
        all.addAll(List.of("-o", dir.resolve("out/model.bin").toString(), "--state-dir", dir.resolve("state").toString()));
        CliRunner cli = new CliRunner(Map.of("SHORT_KEY", Base64.getEncoder().encodeToString(new byte[16])));
        CliRunner.Result result = cli.run(all.toArray(String[]::new));

        assertEquals(2, result.exitCode(), result.err());
        String err = result.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("skyloader: "), err);
        assertTrue(err.contains(mentioned), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
        assertEquals("", result.out());
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(), entries.toList(), "nothing written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputIsADirectory")
    void anOutputThatIsADirectoryIsRefused(String name) throws Exception {
        Files.createDirectories(dir.resolve("out"));
        CliRunner.Result result = new CliRunner().run("get", URL, "--sha256", SHA, "-o", dir.resolve("out").toString(),
                "--state-dir", dir.resolve("state").toString());
        assertEquals(2, result.exitCode());
        assertTrue(result.err().contains("is a directory"), result.err());
        assertFalse(Files.exists(dir.resolve("state")));
    }

    static Stream<String> outputIsADirectory() {
        return Stream.of("output is a directory");
    }
}
