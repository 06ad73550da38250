package dev.skyloader.application.port.in;

import dev.skyloader.domain.Download;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** A read-only view of one download, for status reports. */
public record DownloadStatus(String id, String url, String outputPath, String state, long bytesDownloaded,
                             OptionalLong expectedSize, String sha256, String cipher, int attempts, int restarts,
                             Optional<Instant> nextAttemptAt, Optional<String> lastError, Instant updatedAt) {
    public static DownloadStatus of(Download download) {
        return new DownloadStatus(download.id().value(), download.url(), download.outputPath(),
                download.state().wireName(), download.bytesDownloaded(), download.expectedSize(),
                download.expectedSha256().hex(), download.cipher().wireName(), download.attempts(),
                download.restarts(), download.nextAttemptAt(), download.lastError(), download.updatedAt());
    }
}
