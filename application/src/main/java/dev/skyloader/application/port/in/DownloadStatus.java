package dev.skyloader.application.port.in;

import dev.skyloader.domain.Download;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A read-only view of one download, for status reports.
 *
 * @param running     whether a live process is working on the download (holds its lock); empty when nobody looked
 * @param bytesReused plaintext bytes a delta update took from seeds instead of fetching them; empty without a delta
 */
public record DownloadStatus(String id, String url, String outputPath, String state, long bytesDownloaded,
                             OptionalLong expectedSize, String sha256, String cipher, int attempts, int restarts,
                             Optional<Instant> nextAttemptAt, Optional<String> lastError, Instant updatedAt,
                             Optional<Boolean> running, OptionalLong bytesReused) {
    public static DownloadStatus of(Download download) {
        return new DownloadStatus(download.id().value(), download.url(), download.outputPath(),
                download.state().wireName(), download.bytesDownloaded(),
                // the size given, else the one a server told
                download.expectedSize().isPresent() ? download.expectedSize() : download.reportedSize(),
                download.expectedSha256().hex(), download.cipher().wireName(), download.attempts(),
                download.restarts(), download.nextAttemptAt(), download.lastError(), download.updatedAt(),
                Optional.empty(), download.bytesReused());
    }

    /** This view, knowing whether a live process is working on the download. */
    public DownloadStatus withRunning(boolean now) {
        return new DownloadStatus(id, url, outputPath, state, bytesDownloaded, expectedSize, sha256, cipher, attempts,
                restarts, nextAttemptAt, lastError, updatedAt, Optional.of(now), bytesReused);
    }

    /**
     * Bytes of the artifact that came from its sources: what was served, less what a delta update reused (an
     * estimate while the download is under way: bytes fetched again after a cut are not counted twice).
     */
    public OptionalLong bytesFetched() {
        if (bytesReused.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, bytesDownloaded - bytesReused.getAsLong()));
    }

    /**
     * The state records a transfer, verification or decryption under way, but no live process is doing it: the
     * process that was was killed (or the machine went down) at about {@link #updatedAt()}. The next run resumes it.
     */
    public boolean stopped() {
        return running.isPresent() && !running.get()
                && (state.equals("downloading") || state.equals("verifying") || state.equals("decrypting"));
    }
}
