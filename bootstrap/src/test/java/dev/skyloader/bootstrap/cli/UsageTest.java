package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the subcommand named is built at start-up: the usage, help and hints must not notice. */
class UsageTest {
    private static final List<String> COMMANDS = List.of("get", "sync", "status", "kick", "encrypt", "demo", "help");

    private final CliRunner cli = new CliRunner(Map.of());

    @Test
    void theUsageListsEveryCommandInOrder() {
        CliRunner.Result result = cli.run("--help");
        assertEquals(0, result.exitCode(), result.err());
        int at = result.out().indexOf("Commands:");
        assertTrue(at >= 0, result.out());
        int previous = at;
        for (String command : COMMANDS) {
            int found = result.out().indexOf("\n  " + command + " ", previous);
            assertTrue(found > previous, command + " missing or out of order in:\n" + result.out());
            previous = found;
        }
    }

    @Test
    void eachCommandsHelpWorksNamedFirstAndThroughHelp() {
        for (String command : COMMANDS.subList(0, 6)) {
            CliRunner.Result own = cli.run(command, "--help");
            assertEquals(0, own.exitCode(), own.err());
            assertTrue(own.out().startsWith("Usage: skyloader " + command + " "), own.out());
            CliRunner.Result viaHelp = cli.run("help", command);
            assertEquals(0, viaHelp.exitCode(), viaHelp.err());
            assertEquals(own.out(), viaHelp.out());
        }
    }

    @Test
    void anUnknownCommandIsBadInputNamingIt() {
        CliRunner.Result result = cli.run("gte", "http://example.com/a");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().startsWith("skyloader: ") && result.err().contains("'gte'"), result.err());
        assertEquals(1, result.err().strip().lines().count(), result.err());
    }
}
