package dev.skyloader.bootstrap.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command that reads the state directory shares. */
final class CommonOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where download state is kept (default: $SKYLOADER_STATE_DIR, else "
                    + "$XDG_STATE_HOME/skyloader, else ~/.local/state/skyloader).")
    String stateDir;

    @Option(names = "--json", description = "Print the result as JSON on stdout.")
    boolean json;

    @Option(names = "--quiet", description = "Print nothing but errors.")
    boolean quiet;

    Path stateDirectory(Map<String, String> env) {
        String chosen = stateDir;
        if (chosen == null) {
            chosen = env.get("SKYLOADER_STATE_DIR");
        }
        if (chosen == null && env.get("XDG_STATE_HOME") != null) {
            chosen = env.get("XDG_STATE_HOME") + "/skyloader";
        }
        if (chosen == null) {
            // $HOME as XDG tools read it (a container or sudo may set it apart from the passwd entry).
            String home = env.get("HOME");
            chosen = (home == null || home.isBlank() ? System.getProperty("user.home") : home)
                    + "/.local/state/skyloader";
        }
        return Inputs.folder("--state-dir", chosen, "directory");
    }
}
