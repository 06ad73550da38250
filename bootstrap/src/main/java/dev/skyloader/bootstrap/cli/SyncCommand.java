package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.in.SyncArtifacts;
import dev.skyloader.application.port.in.SyncCommand.Entry;
import dev.skyloader.application.port.in.SyncResult;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.AesKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "sync", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download every artifact of an update (a manifest) into one folder: each resumed, verified "
                + "and decrypted as get does, highest priority first, a few at a time.",
                "Running the same command again fetches only what is missing."})
final class SyncCommand implements Callable<Integer> {
    /** A manifest is the answer of an update service: a few kilobytes, never near this. */
    private static final int MAX_MANIFEST_BYTES = 16 << 20;

    @ParentCommand
    Skyloader root;

    @Parameters(index = "0", paramLabel = "MANIFEST",
            description = "The manifest file (JSON; see the README), or - to read it from stdin.")
    String manifest;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The folder every artifact goes to, as DIR/<name>.")
    String out;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "2",
            description = "Artifacts fetched at once, 1 to 16 (default: ${DEFAULT-VALUE}). --connections and "
                    + "--limit-rate are shared by all of them.")
    int parallel;

    @Mixin
    CommonOptions common;

    @Mixin
    TransferOptions transfer;

    @Override
    public Integer call() throws InterruptedException {
        if (parallel < 1 || parallel > 16) {
            throw new BadInputException("--parallel: must be 1 to 16, got " + parallel);
        }
        Path folder = Inputs.folder("--out", out, "folder");
        Path stateDirectory = common.stateDirectory(root.env);
        TransferOptions.Checked run = transfer.check();
        Manifest parsed = Manifest.parse(readManifest());
        try (Wiring wiring = run.wiring(stateDirectory)) {
            int n = parsed.artifacts().size();
            // --connections is the whole run's: split among the artifacts fetched at once.
            int connections = Math.max(1, run.connections() / Math.max(1, Math.min(parallel, n)));
            List<Entry> entries = new ArrayList<>();
            progress = new LinkedHashMap<>();
            for (Manifest.Artifact artifact : parsed.artifacts()) {
                String output = folder.resolve(artifact.name()).toString();
                ConsoleListener shown = transfer.progressFor(root.err, common.quiet, artifact.name(), connections,
                        parallel == 1 || n == 1, wiring.get(java.time.Clock.class));
                progress.put(artifact.name(), shown);
                DownloadCommand command = Inputs.parse("manifest: " + artifact.where(), () -> run.apply(
                        new DownloadCommand(artifact.url(), artifact.mirrors(), artifact.sha256(), artifact.size(),
                                artifact.cipher(), artifact.key(), output, run.backoff(), OptionalInt.empty(), 0,
                                shown), connections).withDelta(delta(artifact, folder)));
                entries.add(new Entry(artifact.name(), artifact.priority(), command));
                run.checkSchemes(wiring, command.sources(), each -> "manifest: "
                        + artifact.where() + (each.equals(artifact.url()) ? ": url" : ": mirror"));
                run.checkSchemes(wiring, command.delta().map(d -> List.of(d.index())).orElse(List.of()),
                        each -> "manifest: " + artifact.where() + ": delta_index");
            }
            parsed.artifacts().forEach(a -> progress.get(a.name()).start(a.size()));
            SyncResult result;
            try {
                result = wiring.get(SyncArtifacts.class)
                        .sync(new dev.skyloader.application.port.in.SyncCommand(entries, parallel));
            } catch (InterruptedException e) {
                stopped();
                return ExitCode.NOT_FINISHED;
            }
            report(result);
            return ExitCode.of(result.outcome());
        } finally {
            parsed.artifacts().forEach(a -> a.key().ifPresent(AesKey::destroy));
        }
    }

    /** The manifest's text; it may hold keys, so it is read into memory only, never copied anywhere. */
    private String readManifest() {
        if ("-".equals(manifest)) {
            try {
                return text(root.in, "stdin");
            } catch (IOException e) {
                throw new BadInputException("manifest: cannot read stdin: " + e.getMessage());
            }
        }
        Path path = Inputs.existingFile("MANIFEST", manifest);
        try (InputStream in = Files.newInputStream(path)) {
            return text(in, path.toString());
        } catch (IOException e) {
            throw new BadInputException("MANIFEST: cannot read " + path + ": " + e.getMessage());
        }
    }

    private static String text(InputStream in, String what) throws IOException {
        byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new BadInputException("manifest: " + what + " is larger than 16 MiB: not a manifest");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** What each artifact shows, by name. */
    private Map<String, ConsoleListener> progress = Map.of();

    private boolean jsonLines() {
        return progress.values().stream().anyMatch(p -> p.mode() == ConsoleListener.Mode.JSON);
    }

    /** Stopped by SIGTERM or SIGINT: every artifact under way made its bytes durable and was recorded paused. */
    private void stopped() {
        String message = "stopped; what was received is saved: run the same command again to resume (status shows"
                + " where each artifact stands)";
        progress.values().forEach(p -> p.finish(p.completed() ? "complete" : "not_finished",
                p.completed() ? "complete" : "stopped", 0));
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("outcome", "not_finished");
            json.put("exit_code", ExitCode.NOT_FINISHED);
            json.put("message", message);
            root.out.println(JsonOutput.write(json));
        }
        if (!jsonLines()) {
            root.err.println("skyloader: sync: " + message);
        }
    }

    private void report(SyncResult result) {
        for (SyncResult.Item item : result.items()) {
            ConsoleListener shown = progress.get(item.name());
            if (shown != null) {
                shown.finish(item.outcome().name().toLowerCase(Locale.ROOT), item.message(), 0,
                        item.status().map(s -> s.bytesReused()).orElse(java.util.OptionalLong.empty()),
                        item.status().map(s -> s.bytesFetched()).orElse(java.util.OptionalLong.empty()));
            }
        }
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("outcome", result.outcome().name().toLowerCase(Locale.ROOT));
            json.put("exit_code", ExitCode.of(result.outcome()));
            json.put("message", result.message());
            List<Map<String, Object>> artifacts = new ArrayList<>();
            for (SyncResult.Item item : result.items()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("name", item.name());
                one.put("output", item.outputPath());
                one.put("outcome", item.outcome().name().toLowerCase(Locale.ROOT));
                one.put("message", item.message());
                item.status().ifPresent(status -> one.put("download", JsonOutput.status(status)));
                artifacts.add(one);
            }
            json.put("artifacts", artifacts);
            root.out.println(JsonOutput.write(json));
        }
        if (jsonLines()) {
            return; // stderr holds JSON lines only: each artifact's done or error event said it
        }
        for (SyncResult.Item item : result.items()) {
            if (item.outcome() == Outcome.COMPLETE && (common.quiet || common.json)
                    || item.message().equals(result.message())) {
                continue;
            }
            String word = switch (item.outcome()) {
                case COMPLETE -> "";
                case FAILED -> "failed: ";
                case NOT_FINISHED -> "not finished: ";
            };
            root.err.println("skyloader: " + item.name() + ": " + word + item.message());
        }
        if (!common.quiet || result.outcome() != Outcome.COMPLETE) {
            root.err.println("skyloader: sync: " + result.message());
        }
    }

    /** The artifact's delta update: its control file (auto: beside the artifact) and its seeds, files in DIR. */
    private static java.util.Optional<DownloadCommand.Delta> delta(Manifest.Artifact artifact, Path folder) {
        return artifact.deltaIndex().map(index -> {
            List<String> seeds = artifact.seeds().stream().map(seed -> folder.resolve(seed).toString()).toList();
            return index.equals("auto") ? DownloadCommand.Delta.beside(artifact.url(), seeds)
                    : new DownloadCommand.Delta(new dev.skyloader.domain.SourceUrl(index), seeds);
        });
    }
}
