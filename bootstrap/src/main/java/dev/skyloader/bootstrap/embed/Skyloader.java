package dev.skyloader.bootstrap.embed;

import static java.util.Objects.requireNonNull;

import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.application.port.in.ListDownloads;
import dev.skyloader.application.port.in.WakeDownloads;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * skyloader as a library, for update tooling that embeds it: the same downloads as the command line (resume, SHA-256,
 * decryption on arrival, several connections, retries, the state directory), without knowing how it is wired.
 *
 * <pre>{@code
 * try (Skyloader skyloader = Skyloader.builder().stateDirectory(Path.of("/var/lib/skyloader")).build()) {
 *     DownloadResult result = skyloader.download(Skyloader.request("https://cdn.example.com/m.onnx.enc",
 *             sha256Hex, Path.of("/data/m.onnx")).cipher("aes-256-gcm").key(keyBytes).build());
 * }
 * }</pre>
 *
 * One instance holds one HTTP client, one S3 client and one rate budget: share it, and close it when done. Downloads
 * may run on several threads at once (each of its own artifact). A thread interrupted in {@link #download} stops the
 * download, makes its bytes durable and throws {@link InterruptedException}; the next call resumes it.
 */
public final class Skyloader implements AutoCloseable {
    private final Wiring wiring;
    private final Builder settings;

    private Skyloader(Builder settings) {
        this.settings = settings;
        TransferSettings transfer = TransferSettings.DEFAULT.withLimitRate(settings.limitRate)
                .withPieceSize(settings.pieceSize).withReconnectDelays(settings.reconnectDelays);
        HttpSettings http = HttpSettings.DEFAULT.withHeaders(settings.headers);
        S3Settings s3 = new S3Settings(Optional.ofNullable(settings.s3Endpoint), settings.s3PathStyle,
                Optional.empty(), HttpSettings.DEFAULT.connectTimeout(), HttpSettings.DEFAULT.stallTimeout(),
                Optional.empty());
        this.wiring = new Wiring(new FsSettings(settings.stateDirectory), http, s3, transfer);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A download of {@code url} (https, http or s3://bucket/key), whose served bytes hash to {@code sha256}. */
    public static Request.Builder request(String url, String sha256, Path output) {
        return new Request.Builder(url, sha256, output);
    }

    /** Downloads, verifies and decrypts one artifact; the result says how it ended (it throws only on a bug). */
    public DownloadResult download(Request request) throws InterruptedException {
        return download(request, DownloadListener.NONE);
    }

    /** As {@link #download(Request)}, telling {@code listener} the progress (on the downloading threads). */
    public DownloadResult download(Request request, DownloadListener listener) throws InterruptedException {
        requireNonNull(request, "request is null");
        requireNonNull(listener, "listener is null");
        DownloadCommand command = new DownloadCommand(request.url, request.mirrors, request.sha256, request.size,
                request.cipher, request.key, request.output.toAbsolutePath().normalize().toString(),
                settings.backoff, settings.maxAttempts, settings.maxRestarts, listener, settings.connections);
        return wiring.get(DownloadArtifact.class).download(command);
    }

    /** Every download the state directory knows, newest first, each saying whether a live process works on it. */
    public List<DownloadStatus> status() throws IOException {
        return wiring.get(ListDownloads.class).list();
    }

    /** Ends every backoff wait of the state directory's downloads, in this and other processes. */
    public WakeDownloads.Woken kick() throws IOException {
        return wiring.get(WakeDownloads.class).wakeAll();
    }

    @Override
    public void close() {
        wiring.close();
    }

    /** What to download. Build one with {@link Skyloader#request}. */
    public static final class Request {
        private final SourceUrl url;
        private final List<SourceUrl> mirrors;
        private final Sha256 sha256;
        private final Path output;
        private final OptionalLong size;
        private final CipherName cipher;
        private final Optional<AesKey> key;

        private Request(Builder b) {
            this.url = b.url;
            this.mirrors = List.copyOf(b.mirrors);
            this.sha256 = b.sha256;
            this.output = b.output;
            this.size = b.size;
            this.cipher = b.cipher;
            this.key = b.key;
            if (cipher.needsKey() && key.isEmpty()) {
                throw new IllegalArgumentException("cipher " + cipher + " needs a key");
            }
        }

        @Override
        public String toString() {
            return "Request[" + url + " -> " + output + "]";
        }

        public static final class Builder {
            private final SourceUrl url;
            private final List<SourceUrl> mirrors = new ArrayList<>();
            private final Sha256 sha256;
            private final Path output;
            private OptionalLong size = OptionalLong.empty();
            private CipherName cipher = CipherName.NONE;
            private Optional<AesKey> key = Optional.empty();

            private Builder(String url, String sha256, Path output) {
                this.url = new SourceUrl(requireNonNull(url, "url is null"));
                this.sha256 = new Sha256(requireNonNull(sha256, "sha256 is null"));
                this.output = requireNonNull(output, "output is null");
            }

            /** Size of the bytes served: checked before the first byte, and the room for it too. */
            public Builder size(long bytes) {
                this.size = OptionalLong.of(bytes);
                return this;
            }

            /** {@code none}, {@code aes-256-gcm}, {@code aes-256-cbc} or {@code aes-256-ctr}. */
            public Builder cipher(String name) {
                this.cipher = CipherName.parse(name);
                return this;
            }

            /** The artifact's 32-byte AES key (copied; overwrite yours when done). It never reaches the disk. */
            public Builder key(byte[] bytes) {
                this.key = Optional.of(AesKey.of(bytes));
                return this;
            }

            /** Another URL serving the same bytes, tried when a source fails. */
            public Builder mirror(String mirrorUrl) {
                mirrors.add(new SourceUrl(mirrorUrl));
                return this;
            }

            public Request build() {
                return new Request(this);
            }
        }
    }

    /** How downloads are fetched; every setting has the command line's default. */
    public static final class Builder {
        private Path stateDirectory;
        private int connections = 4;
        private long limitRate;
        private long pieceSize = 8L << 20;
        private BackoffPolicy backoff = BackoffPolicy.DEFAULT;
        private OptionalInt maxAttempts = OptionalInt.empty();
        private int maxRestarts = 2;
        private List<Duration> reconnectDelays = TransferSettings.DEFAULT.reconnectDelays();
        private List<HttpSettings.Header> headers = List.of();
        private URI s3Endpoint;
        private boolean s3PathStyle;

        private Builder() {
        }

        /** Where the state documents live: a folder that outlives the process. Required. */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
            return this;
        }

        /** Up to this many connections per artifact, 1 to 16 (default 4). */
        public Builder connections(int n) {
            if (n < 1 || n > DownloadCommand.MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections must be 1 to " + DownloadCommand.MAX_CONNECTIONS);
            }
            this.connections = n;
            return this;
        }

        /** At most this many bytes per second for everything this instance downloads (0: no limit). */
        public Builder limitRate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("the rate must not be negative");
            }
            this.limitRate = bytesPerSecond;
            return this;
        }

        /** Waits after consecutive failed attempts; the last one repeats (default 1m, 5m, 15m, 1h, 4h). */
        public Builder backoff(List<Duration> steps) {
            this.backoff = new BackoffPolicy(steps, 0.1);
            return this;
        }

        /** Give up for now after this many failed attempts (the result is NOT_FINISHED; default: never). */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1");
            }
            this.maxAttempts = OptionalInt.of(n);
            return this;
        }

        /** Quick reconnect waits inside one attempt (default 1s, 2s, 4s, 8s, 15s; empty for none). */
        public Builder reconnectDelays(List<Duration> delays) {
            this.reconnectDelays = List.copyOf(delays);
            return this;
        }

        /** An HTTP request header for every request (a token); {@code Name: value}. */
        public Builder header(String nameColonValue) {
            List<HttpSettings.Header> all = new ArrayList<>(headers);
            all.add(HttpSettings.Header.parse(nameColonValue));
            this.headers = List.copyOf(all);
            return this;
        }

        /** An S3-compatible endpoint for s3:// URLs, and whether it wants path-style addressing. */
        public Builder s3Endpoint(URI endpoint, boolean pathStyle) {
            this.s3Endpoint = requireNonNull(endpoint, "endpoint is null");
            this.s3PathStyle = pathStyle;
            return this;
        }

        public Skyloader build() {
            if (stateDirectory == null) {
                throw new IllegalStateException("a state directory is needed: builder().stateDirectory(path)");
            }
            return new Skyloader(this);
        }
    }
}
