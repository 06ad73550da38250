package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.ListDownloads;
import dev.skyloader.bootstrap.wiring.Wiring;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Every download known in the state directory: its state, progress and last error.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Skyloader root;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Option(names = "--prune",
            description = "First forget the complete downloads whose output is gone (records and part files).")
    boolean prune;

    @Override
    public Integer call() throws IOException {
        List<DownloadStatus> downloads;
        List<DownloadStatus> pruned = List.of();
        try (Wiring wiring = Wiring.forStateDirectory(common.stateDirectory(root.env))) {
            if (prune) {
                pruned = wiring.get(ListDownloads.class).prune();
            }
            downloads = wiring.get(ListDownloads.class).list();
        }
        if (prune && !common.json && !common.quiet) {
            root.err.println("skyloader: pruned " + pruned.size() + " record" + (pruned.size() == 1 ? "" : "s")
                    + " of complete downloads whose output is gone"
                    + (pruned.isEmpty() ? "" : ": " + String.join(", ", pruned.stream()
                    .map(DownloadStatus::outputPath).toList())));
        }
        PrintStream out = root.out;
        if (common.json) {
            out.println(JsonOutput.write(downloads.stream().map(JsonOutput::status).toList()));
            return ExitCode.COMPLETE;
        }
        if (downloads.isEmpty()) {
            if (!common.quiet) {
                out.println("no downloads in " + common.stateDirectory(root.env));
            }
            return ExitCode.COMPLETE;
        }
        // Grouped by the folder they go to: a sync's artifacts all go to its --out.
        Map<String, List<DownloadStatus>> byFolder = new java.util.TreeMap<>();
        for (DownloadStatus s : downloads) {
            String output = s.outputPath();
            int slash = output.lastIndexOf('/');
            byFolder.computeIfAbsent(slash <= 0 ? "/" : output.substring(0, slash), f -> new java.util.ArrayList<>())
                    .add(s);
        }
        boolean first = true;
        for (Map.Entry<String, List<DownloadStatus>> folder : byFolder.entrySet()) {
            if (!first) {
                out.println();
            }
            first = false;
            List<DownloadStatus> in = folder.getValue();
            long complete = in.stream().filter(s -> s.state().equals("complete")).count();
            out.println(folder.getKey() + ": " + complete + " of " + in.size() + " complete");
            table(out, in);
        }
        return ExitCode.COMPLETE;
    }

    private static void table(PrintStream out, List<DownloadStatus> downloads) {
        out.printf(Locale.ROOT, "%-11s %-28s %-9s %s%n", "STATE", "PROGRESS", "ATTEMPTS", "OUTPUT");
        for (DownloadStatus s : downloads) {
            String progress = ConsoleListener.size(s.bytesDownloaded());
            if (s.expectedSize().isPresent() && s.expectedSize().getAsLong() > 0) {
                progress += String.format(Locale.ROOT, " / %s (%d%%)", ConsoleListener.size(s.expectedSize().getAsLong()),
                        s.bytesDownloaded() * 100 / s.expectedSize().getAsLong());
            }
            out.printf(Locale.ROOT, "%-11s %-28s %-9s %s%n", s.stopped() ? "stopped" : s.state(), progress,
                    s.attempts(), s.outputPath());
            if (s.stopped()) {
                out.println("            its process is gone (killed, or the machine went down) since about "
                        + seconds(s.updatedAt()) + "; run the same command again to resume");
            }
            boolean waiting = s.running().orElse(true);
            s.nextAttemptAt().ifPresent(at -> out.println(waiting ? "            next attempt at " + seconds(at)
                    : "            no process is waiting for its next attempt (was " + seconds(at)
                    + "): run the same command again to resume"));
            if (s.bytesReused().isPresent() && s.bytesReused().getAsLong() > 0) {
                out.println("            delta update: " + ConsoleListener.size(s.bytesReused().getAsLong())
                        + " reused from local files, " + ConsoleListener.size(s.bytesFetched().getAsLong())
                        + " fetched");
            }
            s.lastError().ifPresent(error -> out.println("            " + error));
        }
    }

    private static String seconds(java.time.Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
