package dev.skyloader.application.port.in;

import dev.skyloader.domain.Download;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A read-only view of one download, for status reports.
 *
 * @param running whether a live process is working on the download (holds its lock); empty when nobody looked
 */
public record DownloadStatus(String id, String url, String outputPath, String state, long bytesDownloaded,
                             OptionalLong expectedSize, String sha256, String cipher, int attempts, int restarts,
                             Optional<Instant> nextAttemptAt, Optional<String> lastError, Instant updatedAt,
                             Optional<Boolean> running) {
    public static DownloadStatus of(Download download) {
        return new DownloadStatus(download.id().value(), download.url(), download.outputPath(),
                download.state().wireName(), download.bytesDownloaded(),
                // the size given, else the one a server told
                download.expectedSize().isPresent() ? download.expectedSize() : download.reportedSize(),
                download.expectedSha256().hex(), download.cipher().wireName(), download.attempts(),
                download.restarts(), download.nextAttemptAt(), download.lastError(), download.updatedAt(),
                Optional.empty());
    }

    /** This view, knowing whether a live process is working on the download. */
    public DownloadStatus withRunning(boolean now) {
        return new DownloadStatus(id, url, outputPath, state, bytesDownloaded, expectedSize, sha256, cipher, attempts,
                restarts, nextAttemptAt, lastError, updatedAt, Optional.of(now));
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
