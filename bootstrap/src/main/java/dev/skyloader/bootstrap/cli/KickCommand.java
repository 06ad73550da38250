package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.WakeDownloads;
import dev.skyloader.bootstrap.wiring.Wiring;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "kick", mixinStandardHelpOptions = true,
        description = {"Wake every download of the state directory that waits out a backoff.",
                "Its next attempt starts within a second: for when the link is known to be back."})
final class KickCommand implements Callable<Integer> {
    @ParentCommand
    Skyloader root;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws IOException {
        java.nio.file.Path stateDirectory = common.stateDirectory(root.env);
        if (!java.nio.file.Files.isDirectory(stateDirectory)) {
            // Nothing can wait there; a mistyped path is said, not created.
            root.err.println("skyloader: no state directory at " + stateDirectory + ": nothing to wake");
            return ExitCode.COMPLETE;
        }
        WakeDownloads.Woken woken;
        try (Wiring wiring = Wiring.forStateDirectory(stateDirectory)) {
            woken = wiring.get(WakeDownloads.class).wakeAll();
        }
        if (common.json) {
            root.out.println("{\"woken\":" + woken.woken() + ",\"no_process\":" + woken.noProcess() + "}");
        } else if (!common.quiet) {
            root.out.println("kicked: woke " + woken.woken() + " waiting download" + (woken.woken() == 1 ? "" : "s")
                    + (woken.noProcess() == 0 ? "" : "; " + woken.noProcess() + " more wait" + (woken.noProcess() == 1
                    ? "s" : "") + " with no process: they start when skyloader runs again"));
        }
        return ExitCode.COMPLETE;
    }
}
