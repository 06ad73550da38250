package dev.skyloader.bootstrap;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's entrypoint, run for real with a stand-in {@code java} that prints what it was given (no Docker
 * engine here): the flags of the launcher, the class-data archive in the state volume, and exec.
 */
class EntrypointTest {
    private static final Path ENTRYPOINT = Path.of("..", "deploy", "entrypoint.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path fakeJava(int version) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("jdk" + version + "/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = "-XshowSettings:properties" ]; then
                  echo "    java.specification.version = %d" >&2
                  exit 0
                fi
                echo "pid $$"
                for a in "$@"; do echo "arg $a"; done
                """.formatted(version));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin.getParent();
    }

    private record Run(int exit, List<String> lines) {
    }

    private Run run(Path javaHome, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "echo \"shell $$\"; exec \"$0\" \"$@\"",
                ENTRYPOINT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().remove("SKYLOADER_JAVA_OPTS");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes()).lines().toList());
    }

    @Test
    void runsTheJarWithTheLaunchersFlagsAsTheSameProcess() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Run run = run(fakeJava(25), Map.of("SKYLOADER_STATE_DIR", state.toString()), "sync", "/data/update.json",
                "--out", "/data/models");
        assertEquals(0, run.exit(), run.lines().toString());
        List<String> args = run.lines().stream().filter(l -> l.startsWith("arg ")).map(l -> l.substring(4)).toList();
        assertTrue(args.contains("--sun-misc-unsafe-memory-access=allow"), args.toString());
        assertTrue(args.containsAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + state.resolve("skyloader.jsa"))), args.toString());
        assertEquals(List.of("-jar", "/opt/skyloader/skyloader.jar", "sync", "/data/update.json", "--out",
                "/data/models"), args.subList(args.size() - 6, args.size()));
        String shell = run.lines().get(0).substring("shell ".length());
        String java = run.lines().stream().filter(l -> l.startsWith("pid ")).findFirst().orElseThrow().substring(4);
        assertEquals(shell, java, "exec: the JVM is the process the runtime signals, not a child of a shell");
    }

    @Test
    void theHeapFlagsCanBeReplacedAndAnOlderJavaIsRefused() throws Exception {
        Run run = run(fakeJava(21), Map.of("SKYLOADER_JAVA_OPTS", "-Xmx128m", "SKYLOADER_CDS", "none"), "status");
        List<String> args = run.lines().stream().filter(l -> l.startsWith("arg ")).map(l -> l.substring(4)).toList();
        assertTrue(args.contains("-Xmx128m") && !args.contains("-Xmx64m"), args.toString());
        assertFalse(args.contains("--sun-misc-unsafe-memory-access=allow"), "JDK 21 knows no such flag: " + args);
        assertTrue(args.stream().noneMatch(a -> a.startsWith("-XX:SharedArchiveFile")), args.toString());

        Run old = run(fakeJava(17), Map.of(), "status");
        assertEquals(2, old.exit());
        assertTrue(old.lines().contains("skyloader: needs Java 21 or newer, found '17'"), old.lines().toString());
    }
}
