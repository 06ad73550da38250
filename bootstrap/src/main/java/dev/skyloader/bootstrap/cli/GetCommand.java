package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.LocalStorageException;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.ByteCount;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "get", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download one artifact: resume what is on disk, verify its SHA-256, decrypt it, "
                + "and put it in place atomically.", "Running the same command again resumes it."})
final class GetCommand implements Callable<Integer> {
    @ParentCommand
    Skyloader root;

    @Parameters(index = "0", paramLabel = "URL", description = "https://, http:// or s3://bucket/key")
    String url;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "Another URL serving the same bytes (repeatable); tried in turn when a source fails.")
    List<String> mirrors = new java.util.ArrayList<>();

    @Option(names = "--sha256", required = true, paramLabel = "HEX",
            description = "SHA-256 of the bytes served (the ciphertext when encrypted).")
    String sha256;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where the artifact goes.")
    String output;

    @Option(names = "--size", paramLabel = "BYTES", description = "Size of the bytes served (e.g. 524288028, 500M).")
    String size;

    @Option(names = "--cipher", paramLabel = "NAME", defaultValue = "none",
            description = "none, aes-256-gcm, aes-256-cbc or aes-256-ctr (default: ${DEFAULT-VALUE}).")
    String cipher;

    @Option(names = "--key-file", paramLabel = "FILE", description = "The 32-byte AES key as hex or base64 text.")
    String keyFile;

    @Option(names = "--key-env", paramLabel = "VAR", description = "Environment variable holding the key as text.")
    String keyEnv;

    @Option(names = "--delta-index", paramLabel = "URL|auto",
            description = "A zsync control file of the artifact's plaintext (auto: URL + \".zsync\"): blocks the "
                    + "output being replaced or a --seed already holds are copied, not fetched.")
    String deltaIndex;

    @Option(names = "--seed", paramLabel = "FILE",
            description = "A local file that may share blocks with the artifact (repeatable; with --delta-index).")
    List<String> seeds = new java.util.ArrayList<>();

    @Mixin
    CommonOptions common;

    @Mixin
    TransferOptions transfer;

    /** What this run shows; set once the options are checked. */
    private ConsoleListener progress;

    @Override
    public Integer call() throws InterruptedException {
        SourceUrl source = Inputs.parse("URL", () -> new SourceUrl(url));
        List<SourceUrl> mirrorUrls = mirrors.stream().map(m -> Inputs.parse("--mirror", () -> new SourceUrl(m))).toList();
        Sha256 expected = Inputs.parse("--sha256", () -> new Sha256(sha256));
        OptionalLong expectedSize = size == null ? OptionalLong.empty()
                : OptionalLong.of(Inputs.parse("--size", () -> ByteCount.parse(size)).bytes());
        CipherName cipherName = Inputs.parse("--cipher", () -> CipherName.parse(cipher));
        Path outputPath = Inputs.outputFile("--output", output);
        Path stateDirectory = common.stateDirectory(root.env);
        TransferOptions.Checked run = transfer.check();
        if (cipherName.needsKey() && keyFile == null && keyEnv == null) {
            throw new BadInputException("--cipher " + cipherName + " needs a key: --key-file FILE or --key-env VAR");
        }
        Optional<DownloadCommand.Delta> delta = Inputs.delta(deltaIndex, seeds, source);
        Optional<AesKey> key = Inputs.key(keyFile, keyEnv, root.env);
        try (Wiring wiring = run.wiring(stateDirectory)) {
            ConsoleListener progress = transfer.progressFor(root.err, common.quiet,
                    outputPath.getFileName().toString(), run.connections(), true, wiring.get(Clock.class));
            this.progress = progress;
            DownloadCommand command = Inputs.parse("get", () -> run.apply(new DownloadCommand(source, mirrorUrls,
                    expected, expectedSize, cipherName, key, outputPath.toString(), run.backoff(), OptionalInt.empty(),
                    0, progress), run.connections()).withDelta(delta));
            run.checkSchemes(wiring, command.sources(), each -> each == source ? "URL" : "--mirror");
            run.checkSchemes(wiring, delta.map(d -> List.of(d.index())).orElse(List.of()), each -> "--delta-index");
            DownloadResult result;
            progress.start(expectedSize);
            try {
                result = wiring.get(DownloadArtifact.class).download(command);
            } catch (InterruptedException e) {
                stopped(wiring, command);
                return ExitCode.NOT_FINISHED;
            } catch (LocalStorageException e) {
                progress.finish("failed", e.getMessage(), 0);
                if (progress.mode() != ConsoleListener.Mode.JSON) {
                    root.err.println("skyloader: " + e.getMessage());
                }
                return ExitCode.FAILED;
            }
            report(result);
            return ExitCode.of(result.outcome());
        } finally {
            key.ifPresent(AesKey::destroy);
        }
    }

    /** Stopped by SIGTERM or SIGINT: where it stopped, from the state it left, and how to go on. */
    private void stopped(Wiring wiring, DownloadCommand command) {
        String where = "";
        try {
            var stored = wiring.get(dev.skyloader.application.port.out.StateStore.class)
                    .load(dev.skyloader.application.service.DownloadService.idFor(command.sha256(),
                            command.outputPath()));
            if (stored.isPresent()) {
                long bytes = stored.get().bytesDownloaded();
                // The size given, else the one the server told.
                OptionalLong total = dev.skyloader.application.port.in.DownloadStatus.of(stored.get()).expectedSize();
                where = " at " + ConsoleListener.size(bytes) + " (" + bytes + " bytes"
                        + (total.isPresent() && total.getAsLong() > 0
                        ? ", " + bytes * 100 / total.getAsLong() + "%" : "") + ")";
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the state says it; the line goes without the figure
        }
        progress.finish("not_finished", "stopped" + where, 0);
        if (progress.mode() != ConsoleListener.Mode.JSON) {
            root.err.println("skyloader: stopped" + where + "; every byte received is saved: run the same command"
                    + " again to resume");
        }
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("outcome", "not_finished");
            json.put("exit_code", ExitCode.NOT_FINISHED);
            json.put("message", "stopped" + where);
            root.out.println(JsonOutput.write(json));
        }
    }

    private void report(DownloadResult result) {
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT));
            json.put("exit_code", ExitCode.of(result.outcome()));
            json.put("message", result.message());
            json.put("download", JsonOutput.status(result.status()));
            root.out.println(JsonOutput.write(json));
        }
        long size = result.status().bytesDownloaded();
        if (result.outcome() == DownloadResult.Outcome.COMPLETE) {
            try {
                size = java.nio.file.Files.size(java.nio.file.Path.of(result.status().outputPath()));
            } catch (java.io.IOException | RuntimeException e) {
                // the figure of the state instead
            }
        }
        progress.finish(result.outcome().name().toLowerCase(java.util.Locale.ROOT), result.message(), size,
                result.status().bytesReused(), result.status().bytesFetched());
        if (progress.mode() == ConsoleListener.Mode.JSON) {
            return; // stderr holds JSON lines only: the done or error event said it
        }
        switch (result.outcome()) {
            case COMPLETE -> {
                if (!common.quiet && !common.json) {
                    root.err.println("skyloader: " + result.message() + " (" + ConsoleListener.size(size) + ", "
                            + size + " bytes, SHA-256 verified)");
                }
            }
            case FAILED -> root.err.println("skyloader: failed: " + result.message());
            case NOT_FINISHED -> root.err.println("skyloader: " + result.message());
        }
    }
}
