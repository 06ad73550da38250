package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code skyloader demo}: the whole job in this JVM, drops included, and nothing left behind. */
class DemoCommandTest {
    private static List<Path> demoFolders() throws Exception {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("skyloader-demo-")).toList();
        }
    }

    @Test
    void theDemoFetchesThroughDropsEndsByteExactAndCleansUp() throws Exception {
        List<Path> before = demoFolders();
        CliRunner.Result result = new CliRunner().run("demo", "--size", "3M", "--rate", "64M", "--drops", "2",
                "--progress", "plain");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("connection lost at byte"), "the link dropped: " + result.err());
        assertTrue(result.out().contains("the output is the original model byte for byte"), result.out());
        assertTrue(result.err().contains("skyloader: complete: "), result.err());
        assertEquals(before, demoFolders(), "its temporary folder is gone");
    }

    @Test
    void aBadSizeIsBadInput() {
        CliRunner.Result result = new CliRunner().run("demo", "--size", "lots");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().startsWith("skyloader: --size: "), result.err());
    }
}
