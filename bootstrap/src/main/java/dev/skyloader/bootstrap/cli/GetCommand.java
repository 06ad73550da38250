package dev.skyloader.bootstrap.cli;

import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.in.LocalStorageException;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.bootstrap.wiring.SchemeRouter;
import dev.skyloader.bootstrap.wiring.TrustStores;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.ByteCount;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.DurationText;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import javax.net.ssl.X509TrustManager;
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

    @Mixin
    CommonOptions common;

    @Option(names = "--backoff", paramLabel = "LIST", defaultValue = "1m,5m,15m,1h,4h",
            description = "Waits after consecutive failed attempts; the last repeats (default: ${DEFAULT-VALUE}).")
    String backoff;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Give up for now after N failed attempts (exit 75, state kept). Default: never.")
    Integer maxAttempts;

    @Option(names = "--max-restarts", paramLabel = "N", defaultValue = "2",
            description = "Restarts from byte 0 after a SHA-256 mismatch before failing (default: ${DEFAULT-VALUE}).")
    int maxRestarts;

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Abort and resume a transfer that sends nothing for this long (default: ${DEFAULT-VALUE}).")
    String stallTimeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "20s",
            description = "Time allowed to connect (default: ${DEFAULT-VALUE}).")
    String connectTimeout;

    @Option(names = "--reconnect", paramLabel = "LIST", defaultValue = "1s,2s,4s,8s,15s",
            description = "Quick reconnect waits inside one attempt, before the --backoff schedule applies; "
                    + "'none' for none (default: ${DEFAULT-VALUE}).")
    String reconnect;

    @Option(names = "--probe-interval", paramLabel = "DURATION", defaultValue = "30s",
            description = "While waiting out a backoff, ask the source this often whether it answers again, and start "
                    + "at once when it does; 'none' for never (default: ${DEFAULT-VALUE}).")
    String probeInterval;

    @Option(names = "--limit-rate", paramLabel = "RATE",
            description = "At most this many bytes per second for the whole run, as curl's --limit-rate: 500k, 8M, "
                    + "1G (binary multiples); default: no limit.")
    String limitRate;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "4",
            description = "Fetch the artifact as pieces over up to N connections at once, 1 to 16; an artifact under "
                    + "two pieces uses one (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--piece-size", paramLabel = "BYTES", defaultValue = "8M",
            description = "Size of the pieces with several connections, a multiple of 16 from 64k "
                    + "(default: ${DEFAULT-VALUE}).")
    String pieceSize;

    @Option(names = "--ca-cert", paramLabel = "PEM",
            description = "Trust these CA certificates instead of the system's (HTTPS and S3).")
    String caCert;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "S3-compatible endpoint for s3:// URLs (default: the SDK's, or $AWS_ENDPOINT_URL_S3).")
    String s3Endpoint;

    @Option(names = "--s3-path-style", description = "Path-style S3 addressing (endpoint/bucket/key).")
    boolean s3PathStyle;

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
        BackoffPolicy schedule = Inputs.parse("--backoff", () -> BackoffPolicy.parse(backoff, 0.1));
        if (maxAttempts != null && maxAttempts < 1) {
            throw new BadInputException("--max-attempts: must be at least 1, got " + maxAttempts);
        }
        if (maxRestarts < 0) {
            throw new BadInputException("--max-restarts: must not be negative, got " + maxRestarts);
        }
        Duration stall = positive("--stall-timeout", stallTimeout);
        Duration connect = positive("--connect-timeout", connectTimeout);
        Duration probe = "none".equals(probeInterval) ? Duration.ZERO : positive("--probe-interval", probeInterval);
        long rate = limitRate == null ? 0 : Inputs.parse("--limit-rate", () -> ByteCount.parse(limitRate)).bytes();
        if (limitRate != null && rate == 0) {
            throw new BadInputException("--limit-rate: must be more than 0 bytes per second, got '" + limitRate + "'");
        }
        if (connections < 1 || connections > DownloadCommand.MAX_CONNECTIONS) {
            throw new BadInputException("--connections: must be 1 to " + DownloadCommand.MAX_CONNECTIONS + ", got "
                    + connections);
        }
        long piece = Inputs.parse("--piece-size", () -> ByteCount.parse(pieceSize)).bytes();
        if (piece < (64 << 10) || piece % 16 != 0) {
            throw new BadInputException("--piece-size: must be a multiple of 16 from 64k (65536) up, got '"
                    + pieceSize + "'");
        }
        List<Duration> reconnectDelays = "none".equals(reconnect) ? List.of()
                : Inputs.parse("--reconnect", () -> BackoffPolicy.parse(reconnect, 0)).steps();
        Optional<X509TrustManager> privateCa = Optional.ofNullable(caCert)
                .map(pem -> Inputs.existingFile("--ca-cert", pem))
                .map(pem -> Inputs.parse("--ca-cert", () -> TrustStores.fromPem(pem)));
        HttpSettings http = new HttpSettings(connect, stall, privateCa.map(TrustStores::sslContext),
                HttpSettings.DEFAULT.maxRedirects(), HttpSettings.DEFAULT.refetchBelow());
        S3Settings s3 = new S3Settings(Optional.ofNullable(s3Endpoint).map(GetCommand::endpoint), s3PathStyle,
                Optional.empty(), connect, stall, privateCa);
        if (cipherName.needsKey() && keyFile == null && keyEnv == null) {
            throw new BadInputException("--cipher " + cipherName + " needs a key: --key-file FILE or --key-env VAR");
        }
        Optional<AesKey> key = Inputs.key(keyFile, keyEnv, root.env);
        try {
            DownloadCommand command = Inputs.parse("get", () -> new DownloadCommand(source, mirrorUrls, expected, expectedSize,
                    cipherName, key, outputPath.toString(), schedule,
                    maxAttempts == null ? OptionalInt.empty() : OptionalInt.of(maxAttempts), maxRestarts,
                    new ConsoleListener(root.err, common.quiet, outputPath.getFileName().toString()))
                    .withConnections(connections));
            try (Wiring wiring = new Wiring(new FsSettings(stateDirectory), http, s3,
                    TransferSettings.DEFAULT.withReconnectDelays(reconnectDelays).withProbeInterval(probe)
                            .withLimitRate(rate).withPieceSize(piece))) {
                java.util.Set<String> schemes = wiring.get(SchemeRouter.class).schemes();
                for (SourceUrl each : command.sources()) {
                    if (!schemes.contains(each.scheme())) {
                        throw new BadInputException((each == source ? "URL" : "--mirror") + ": unsupported scheme '"
                                + each.scheme() + "' (supported: " + String.join(", ", schemes) + ")");
                    }
                }
                DownloadResult result = wiring.get(DownloadArtifact.class).download(command);
                report(result);
                return ExitCode.of(result.outcome());
            } catch (LocalStorageException e) {
                root.err.println("skyloader: " + e.getMessage());
                return ExitCode.FAILED;
            }
        } finally {
            key.ifPresent(AesKey::destroy);
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
        switch (result.outcome()) {
            case COMPLETE -> {
                if (!common.quiet && !common.json) {
                    root.err.println("skyloader: " + result.message() + " (" + result.status().bytesDownloaded()
                            + " bytes, SHA-256 verified)");
                }
            }
            case FAILED -> root.err.println("skyloader: failed: " + result.message());
            case NOT_FINISHED -> root.err.println("skyloader: " + result.message());
        }
    }


    private static URI endpoint(String text) {
        URI uri = Inputs.parse("--s3-endpoint", () -> URI.create(text.trim()));
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new BadInputException("--s3-endpoint: expected http(s)://host[:port], got '" + text + "'");
        }
        return uri;
    }

    private static Duration positive(String option, String text) {
        Duration duration = Inputs.parse(option, () -> DurationText.parse(text));
        if (duration.isZero()) {
            throw new BadInputException(option + ": must be more than zero");
        }
        return duration;
    }
}
