package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DownloadTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Sha256 OTHER = new Sha256("b".repeat(64));

    @Test
    void progressThatMovesBytesResetsConsecutiveFailures() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        download.startAttempt(NOW);
        download.attemptFailed("reset", NOW.plusSeconds(300), NOW);
        assertEquals(2, download.attempts());
        download.startAttempt(NOW);
        download.recordProgress(10, NOW);
        assertEquals(0, download.attempts());
    }

    @Test
    void progressNeverGoesBackNorPastTheExpectedSize() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(50, NOW);
        assertThrows(IllegalArgumentException.class, () -> download.recordProgress(40, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.recordProgress(101, NOW));
        assertEquals(50, download.bytesDownloaded());
    }

    @Test
    void mismatchRestartsFromZeroUntilRestartsRunOutThenFails() {
        Download download = DownloadStateTest.newDownload();
        for (int restart = 1; restart <= 2; restart++) {
            download.startAttempt(NOW);
            download.recordValidator(new Validator("\"etag\"", "https://cdn.example/a.bin"), NOW);
            download.recordProgress(100, NOW);
            download.moveTo(DownloadState.VERIFYING, NOW);
            assertTrue(download.verificationFailed(OTHER, 2, NOW));
            assertEquals(DownloadState.DOWNLOADING, download.state());
            assertEquals(0, download.bytesDownloaded());
            assertEquals(Optional.empty(), download.validator());
            assertEquals(restart, download.restarts());
        }
        download.recordProgress(100, NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        assertFalse(download.verificationFailed(OTHER, 2, NOW));
        assertEquals(DownloadState.FAILED, download.state());
        String error = download.lastError().orElseThrow();
        assertTrue(error.contains("a".repeat(64)) && error.contains(OTHER.hex()), error);
    }

    @Test
    void anInFlightStateFoundOnDiskResumesAsPaused() {
        Download download = Download.builder().id(new DownloadId("d")).url("https://h/x")
                .expectedSha256(OTHER).cipher(CipherName.NONE).outputPath("/o").partPath("/p")
                .createdAt(NOW).state(DownloadState.DECRYPTING).bytesDownloaded(5).build();
        download.recoverFromInterruption(NOW);
        assertEquals(DownloadState.PAUSED, download.state());
        assertEquals(5, download.bytesDownloaded());
    }

    @Test
    void keepsNoSecretsOfTheUrl() {
        Download download = Download.create(new DownloadId("d"),
                new SourceUrl("https://user:pw@cdn.example/m.bin?X-Amz-Signature=abc#frag"), OTHER,
                java.util.OptionalLong.empty(), CipherName.NONE, "/o", "/p", NOW);
        assertEquals("https://cdn.example/m.bin", download.url());
        assertFalse(download.toString().contains("abc"));
    }

    @Test
    void refusesInconsistentStoredFields() {
        var builder = Download.builder().id(new DownloadId("d")).url("https://h/x").expectedSha256(OTHER)
                .expectedSize(java.util.OptionalLong.of(10)).outputPath("/o").partPath("/p").createdAt(NOW);
        assertThrows(IllegalArgumentException.class, () -> builder.bytesDownloaded(11).build());
        assertThrows(IllegalArgumentException.class, () -> builder.bytesDownloaded(-1).build());
    }
}
