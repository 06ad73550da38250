package dev.skyloader.bootstrap.cli;

import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.bootstrap.wiring.SchemeRouter;
import dev.skyloader.bootstrap.wiring.TrustStores;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.ByteCount;
import dev.skyloader.domain.DurationText;
import dev.skyloader.domain.SourceUrl;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.X509TrustManager;
import picocli.CommandLine.Option;

/** How downloads are fetched and retried: the options {@code get} and {@code sync} share. */
final class TransferOptions {
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

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, plain lines otherwise), bar, plain (a timestamped line every "
                    + "--progress-interval and at every change), json (one JSON object per event on stderr) or none "
                    + "(default: ${DEFAULT-VALUE}).")
    String progress;

    @Option(names = "--progress-interval", paramLabel = "DURATION",
            description = "How often progress is shown: default 30s for plain, 1s for json.")
    String progressInterval;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "An HTTP request header for the sources given, e.g. a CDN's token (repeatable); not sent "
                    + "after a redirect to another host, never printed or stored.")
    List<String> headers = new java.util.ArrayList<>();

    @Option(names = "--ca-cert", paramLabel = "PEM",
            description = "Trust these CA certificates instead of the system's (HTTPS and S3).")
    String caCert;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "S3-compatible endpoint for s3:// URLs (default: the SDK's, or $AWS_ENDPOINT_URL_S3).")
    String s3Endpoint;

    @Option(names = "--s3-path-style", description = "Path-style S3 addressing (endpoint/bucket/key).")
    boolean s3PathStyle;

    /**
     * The options, checked, as the values a run uses.
     *
     * @param connections the connections of the whole run
     */
    record Checked(BackoffPolicy backoff, OptionalInt maxAttempts, int maxRestarts, int connections,
                   HttpSettings http, S3Settings s3, TransferSettings transfer) {
        /** {@code command} with this run's schedule, attempts and restarts, and {@code n} connections. */
        DownloadCommand apply(DownloadCommand command, int n) {
            return command.withRetries(backoff, maxAttempts, maxRestarts).withConnections(n);
        }

        Wiring wiring(Path stateDirectory) {
            return new Wiring(new FsSettings(stateDirectory), http, s3, transfer);
        }

        /** Every source has a scheme this build can fetch; else one line naming it ({@code label} says where). */
        void checkSchemes(Wiring wiring, List<SourceUrl> sources, Function<SourceUrl, String> label) {
            Set<String> schemes = wiring.get(SchemeRouter.class).schemes();
            for (SourceUrl each : sources) {
                if (!schemes.contains(each.scheme())) {
                    throw new BadInputException(label.apply(each) + ": unsupported scheme '" + each.scheme()
                            + "' (supported: " + String.join(", ", schemes) + ")");
                }
            }
        }
    }

    /**
     * How progress is shown for {@code name}, checked; {@code quiet} means none. Without {@code barAllowed}
     * (artifacts side by side, which one line cannot show) a bar becomes plain lines.
     */
    ConsoleListener progressFor(java.io.PrintStream err, boolean quiet, String name, int n, boolean barAllowed,
                                java.time.Clock clock) {
        ConsoleListener.Mode mode = ConsoleListener.Mode.choose(progress, quiet,
                !"auto".equalsIgnoreCase(progress) || ConsoleListener.stderrIsATerminal());
        if (mode == ConsoleListener.Mode.BAR && !barAllowed) {
            mode = ConsoleListener.Mode.PLAIN;
        }
        Duration interval = progressInterval == null ? mode.defaultInterval()
                : positive("--progress-interval", progressInterval);
        return new ConsoleListener(err, mode, name, n, interval, clock, System::nanoTime);
    }

    Checked check() {
        ConsoleListener.Mode.choose(progress, false, false); // a bad --progress is bad input before anything runs
        if (progressInterval != null) {
            positive("--progress-interval", progressInterval);
        }
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
        List<HttpSettings.Header> parsedHeaders = headers.stream()
                .map(text -> Inputs.parse("--header", () -> HttpSettings.Header.parse(text))).toList();
        HttpSettings http = new HttpSettings(connect, stall, privateCa.map(TrustStores::sslContext),
                HttpSettings.DEFAULT.maxRedirects(), HttpSettings.DEFAULT.refetchBelow(), parsedHeaders);
        S3Settings s3 = new S3Settings(Optional.ofNullable(s3Endpoint).map(TransferOptions::endpoint), s3PathStyle,
                Optional.empty(), connect, stall, privateCa);
        TransferSettings transfer = TransferSettings.DEFAULT.withReconnectDelays(reconnectDelays)
                .withProbeInterval(probe).withLimitRate(rate).withPieceSize(piece);
        return new Checked(schedule, maxAttempts == null ? OptionalInt.empty() : OptionalInt.of(maxAttempts),
                maxRestarts, connections, http, s3, transfer);
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
