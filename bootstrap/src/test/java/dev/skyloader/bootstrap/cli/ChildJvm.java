package dev.skyloader.bootstrap.cli;

import dev.skyloader.bootstrap.Main;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of skyloader in a child JVM, as the launcher runs it: a small heap, this test's class path. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** {@code java -Xmx64m ... Main ARGS}: a list the caller may add to. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx64m"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Runs {@code command} to its end (two minutes at most), its output in {@code log}, and checks it exited 0: the
     * last run of a crash test, after the kills.
     */
    static void runToTheEnd(List<String> command, Path log) throws Exception {
        Process last = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        org.junit.jupiter.api.Assertions.assertTrue(last.waitFor(120, java.util.concurrent.TimeUnit.SECONDS),
                "the last run finishes");
        org.junit.jupiter.api.Assertions.assertEquals(0, last.exitValue(), java.nio.file.Files.readString(log));
    }
}
