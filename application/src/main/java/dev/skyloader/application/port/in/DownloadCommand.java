package dev.skyloader.application.port.in;

import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * What to download and how hard to try.
 *
 * @param url          where the served bytes are (may carry a presigned signature)
 * @param mirrors      other places serving the same bytes, tried in turn when a source fails
 * @param sha256       SHA-256 of the bytes served (the ciphertext when encrypted)
 * @param expectedSize size in bytes of what is served, when known
 * @param cipher       how the served bytes are encrypted
 * @param key          the AES-256 key; present exactly when {@code cipher} needs one
 * @param outputPath   absolute path where the (decrypted) artifact goes
 * @param backoff      waits between failed attempts
 * @param maxAttempts  failed attempts after which this run gives up for now (the state is kept); empty: never
 * @param maxRestarts  restarts from byte 0 after a SHA-256 mismatch before failing for good
 * @param listener     progress and notices
 * @param connections  at most this many connections at once for this artifact (pieces fetched in parallel); one
 *                     for an artifact too small to split
 * @param delta        a zsync control file and seeds: fetch only the blocks the seeds do not hold
 */
public record DownloadCommand(SourceUrl url, List<SourceUrl> mirrors, Sha256 sha256, OptionalLong expectedSize, CipherName cipher,
                              Optional<AesKey> key, String outputPath, BackoffPolicy backoff,
                              OptionalInt maxAttempts, int maxRestarts, DownloadListener listener,
                              int connections, Optional<Delta> delta) {
    /** The most connections one artifact may use. */
    public static final int MAX_CONNECTIONS = 16;

    /**
     * A delta update: the artifact's plaintext is described by the zsync control file at {@code index} (with
     * {@code auto}, beside the source of each attempt) (encrypted
     * with the artifact's cipher and key unless the cipher is none); blocks found in the {@code seeds} (paths of
     * local files, the output being replaced among them) are copied instead of fetched.
     */
    public record Delta(SourceUrl index, List<String> seeds, boolean auto) {
        public Delta {
            requireNonNull(index, "index is null");
            seeds = List.copyOf(requireNonNull(seeds, "seeds is null"));
        }

        /** The control file at {@code index}, whatever the source of an attempt. */
        public Delta(SourceUrl index, List<String> seeds) {
            this(index, seeds, false);
        }

        /** The control file beside whichever source an attempt uses ({@code URL.zsync}), mirrors included. */
        public static Delta beside(SourceUrl url, List<String> seeds) {
            return new Delta(url.beside(SUFFIX), seeds, true);
        }

        /** Where the control file is for an attempt on {@code source}. */
        public SourceUrl indexFor(SourceUrl source) {
            return auto ? source.beside(SUFFIX) : index;
        }

        private static final String SUFFIX = ".zsync";
    }

    public DownloadCommand(SourceUrl url, List<SourceUrl> mirrors, Sha256 sha256, OptionalLong expectedSize,
                           CipherName cipher, Optional<AesKey> key, String outputPath, BackoffPolicy backoff,
                           OptionalInt maxAttempts, int maxRestarts, DownloadListener listener, int connections) {
        this(url, mirrors, sha256, expectedSize, cipher, key, outputPath, backoff, maxAttempts, maxRestarts, listener,
                connections, Optional.empty());
    }

    /** One connection. */
    public DownloadCommand(SourceUrl url, List<SourceUrl> mirrors, Sha256 sha256, OptionalLong expectedSize,
                           CipherName cipher, Optional<AesKey> key, String outputPath, BackoffPolicy backoff,
                           OptionalInt maxAttempts, int maxRestarts, DownloadListener listener) {
        this(url, mirrors, sha256, expectedSize, cipher, key, outputPath, backoff, maxAttempts, maxRestarts, listener,
                1);
    }

    public DownloadCommand {
        requireNonNull(url, "url is null");
        mirrors = List.copyOf(requireNonNull(mirrors, "mirrors is null"));
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(expectedSize, "expectedSize is null");
        requireNonNull(cipher, "cipher is null");
        requireNonNull(key, "key is null");
        requireNonNull(outputPath, "outputPath is null");
        requireNonNull(backoff, "backoff is null");
        requireNonNull(maxAttempts, "maxAttempts is null");
        requireNonNull(listener, "listener is null");
        requireNonNull(delta, "delta is null");
        if (expectedSize.isPresent() && expectedSize.getAsLong() < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + expectedSize.getAsLong());
        }
        if (cipher.needsKey() && key.isEmpty()) {
            throw new IllegalArgumentException("cipher " + cipher + " needs a key (--key-file or --key-env)");
        }
        if (!cipher.needsKey() && key.isPresent()) {
            throw new IllegalArgumentException("a key was given but the cipher is none (missing --cipher?)");
        }
        if (expectedSize.isPresent()) {
            cipher.sizeProblem(expectedSize.getAsLong()).ifPresent(problem -> {
                throw new IllegalArgumentException("size: " + problem);
            });
            if (expectedSize.getAsLong() == 0 && !sha256.equals(Sha256.EMPTY)) {
                throw new IllegalArgumentException("size 0, but " + sha256 + " is not the SHA-256 of nothing ("
                        + Sha256.EMPTY + ")");
            }
        }
        if (outputPath.isBlank()) {
            throw new IllegalArgumentException("output path is empty");
        }
        if (maxAttempts.isPresent() && maxAttempts.getAsInt() < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts.getAsInt());
        }
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connections must be 1.." + MAX_CONNECTIONS + ", got " + connections);
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("max restarts must not be negative, got " + maxRestarts);
        }
    }

    /** A command with the default schedule, unlimited attempts and 2 restarts. */
    public static DownloadCommand of(SourceUrl url, Sha256 sha256, OptionalLong expectedSize, CipherName cipher,
                                     Optional<AesKey> key, String outputPath) {
        return new DownloadCommand(url, List.of(), sha256, expectedSize, cipher, key, outputPath, BackoffPolicy.DEFAULT,
                OptionalInt.empty(), 2, DownloadListener.NONE);
    }

    public DownloadCommand withRetries(BackoffPolicy newBackoff, OptionalInt newMaxAttempts, int newMaxRestarts) {
        return new DownloadCommand(url, mirrors, sha256, expectedSize, cipher, key, outputPath, newBackoff,
                newMaxAttempts, newMaxRestarts, listener, connections, delta);
    }

    public DownloadCommand withListener(DownloadListener newListener) {
        return new DownloadCommand(url, mirrors, sha256, expectedSize, cipher, key, outputPath, backoff, maxAttempts,
                maxRestarts, newListener, connections, delta);
    }

    public DownloadCommand withMirrors(List<SourceUrl> newMirrors) {
        return new DownloadCommand(url, newMirrors, sha256, expectedSize, cipher, key, outputPath, backoff,
                maxAttempts, maxRestarts, listener, connections, delta);
    }

    /** Up to {@code n} connections at once for this artifact. */
    public DownloadCommand withConnections(int n) {
        return new DownloadCommand(url, mirrors, sha256, expectedSize, cipher, key, outputPath, backoff,
                maxAttempts, maxRestarts, listener, n, delta);
    }

    /** A delta update from {@code newDelta}'s control file and seeds. */
    public DownloadCommand withDelta(Optional<Delta> newDelta) {
        return new DownloadCommand(url, mirrors, sha256, expectedSize, cipher, key, outputPath, backoff,
                maxAttempts, maxRestarts, listener, connections, newDelta);
    }

    /** The URL first, then the mirrors. */
    public List<SourceUrl> sources() {
        List<SourceUrl> all = new java.util.ArrayList<>();
        all.add(url);
        all.addAll(mirrors);
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return "DownloadCommand[" + url + " sha256=" + sha256 + " cipher=" + cipher + " -> " + outputPath + "]";
    }
}
