package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.WakeDownloads;
import dev.skyloader.bootstrap.wiring.Wiring;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "kick", mixinStandardHelpOptions = true,
        description = {"Wake every download of the state directory that waits out a backoff: its next attempt starts",
                "within a second (for when the link is known to be back)."})
final class KickCommand implements Callable<Integer> {
    @ParentCommand
    Skyloader root;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws IOException {
        int waiting;
        try (Wiring wiring = Wiring.forStateDirectory(common.stateDirectory(root.env))) {
            waiting = wiring.get(WakeDownloads.class).wakeAll();
        }
        if (common.json) {
            root.out.println("{\"waiting\":" + waiting + "}");
        } else if (!common.quiet) {
            root.out.println("kicked: " + waiting + " download" + (waiting == 1 ? "" : "s") + " waiting for a retry");
        }
        return ExitCode.COMPLETE;
    }
}
