package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The two marks of the part file (written and durable), what it is encoded as, and putting it in place. */
class DownloadPartFileTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Validator ETAG = new Validator("\"etag\"", "https://cdn.example/a.bin");
    private static final String GCM_NONCE = "0123456789abcdef01234567";

    @Test
    void theDurableMarkMayLagTheWrittenOneAndCatchUpWithIt() {
        Download download = downloading();
        download.recordProgress(60, 20, NOW);
        assertEquals(60, download.bytesDownloaded());
        assertEquals(20, download.bytesDurable());
        download.recordProgress(60, 20, NOW);
        assertEquals(20, download.bytesDurable(), "recording the same durable mark again is no step back");
        download.recordProgress(80, 80, NOW);
        assertEquals(80, download.bytesDurable());
    }

    @Test
    void theDurableMarkNeverPassesTheWrittenOneNorGoesBack() {
        Download download = downloading();
        download.recordProgress(60, 40, NOW);
        assertThrows(IllegalArgumentException.class, () -> download.recordProgress(70, 71, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.recordProgress(70, 39, NOW));
        assertEquals(60, download.bytesDownloaded());
        assertEquals(40, download.bytesDurable());
    }

    @Test
    void progressWithoutASingleDurableByteKeepsTheDurableMarkAtZero() {
        Download download = downloading();
        download.recordProgress(30, 0, NOW);
        assertEquals(30, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
    }

    @Test
    void progressIsRecordedOnlyWhileDownloading() {
        Download download = DownloadStateTest.newDownload();
        assertThrows(IllegalStateException.class, () -> download.recordProgress(10, NOW));
        download.startAttempt(NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        assertThrows(IllegalStateException.class, () -> download.recordProgress(10, NOW));
        assertEquals(0, download.bytesDownloaded());
    }

    @Test
    void progressThatMovesNoBytesIsAcceptedButDoesNotForgiveFailedAttempts() {
        Download download = downloading();
        download.recordProgress(10, NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        download.startAttempt(NOW);
        download.recordProgress(10, NOW);
        assertEquals(10, download.bytesDownloaded());
        assertEquals(1, download.attempts());
    }

    @Test
    void progressMayReachTheExpectedSizeExactly() {
        Download download = downloading();
        download.recordProgress(99, NOW);
        assertFalse(download.hasAllBytes());
        download.recordProgress(100, NOW);
        assertTrue(download.hasAllBytes());
    }

    @Test
    void anArtifactOfUnknownSizeNeverClaimsToHaveAllItsBytes() {
        Download download = Download.create(new DownloadId("d"), new SourceUrl("https://cdn.example/a.bin"),
                new Sha256("a".repeat(64)), OptionalLong.empty(), CipherName.NONE, "/o", "/p", NOW);
        download.startAttempt(NOW);
        download.recordProgress(0, NOW);
        assertFalse(download.hasAllBytes());
        download.recordProgress(1_000_000, NOW);
        assertFalse(download.hasAllBytes());
    }

    @Test
    void aPausedOrFailedDownloadMayStillMakeItsWrittenBytesDurable() {
        Download download = downloading();
        download.recordProgress(50, 10, NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        download.recordDurable(30, NOW);
        assertEquals(30, download.bytesDurable());
        download.fail("gave up", NOW);
        download.recordDurable(50, NOW);
        assertEquals(50, download.bytesDurable());
        assertEquals(50, download.bytesDownloaded());
    }

    @Test
    void recordingTheSameDurableMarkAgainIsAllowed() {
        Download download = downloading();
        download.recordProgress(50, 10, NOW);
        download.recordDurable(10, NOW);
        assertEquals(10, download.bytesDurable());
    }

    @Test
    void theDurableMarkRecordedAloneStaysWithinTheWrittenOneAndNeverGoesBack() {
        Download download = downloading();
        download.recordProgress(50, 20, NOW);
        assertThrows(IllegalArgumentException.class, () -> download.recordDurable(51, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.recordDurable(19, NOW));
        assertEquals(20, download.bytesDurable());
    }

    @Test
    void aCompleteDownloadHasNoDurableMarkLeftToRecord() {
        Download download = Download.builder().id(new DownloadId("d")).url("https://h/x")
                .expectedSha256(new Sha256("a".repeat(64))).outputPath("/o").partPath("/p").createdAt(NOW)
                .state(DownloadState.COMPLETE).bytesDownloaded(10).bytesDurable(5L).build();
        assertThrows(IllegalStateException.class, () -> download.recordDurable(10, NOW));
        assertEquals(5, download.bytesDurable());
    }

    @Test
    void adoptingAPartFileAfterAnotherBootMayMoveTheMarksBack() {
        Download download = paused(80, 60);
        download.adoptPartFile(40, 30, NOW);
        assertEquals(40, download.bytesDownloaded());
        assertEquals(30, download.bytesDurable());
        assertEquals(Optional.of(ETAG), download.validator(), "bytes remain, so their version still matters");
        assertEquals(Optional.of(GCM_NONCE), download.header());
    }

    @Test
    void adoptingAPartFileInTheSameBootMayTrustMoreThanWasRecorded() {
        Download download = paused(40, 20);
        download.adoptPartFile(100, 100, NOW);
        assertEquals(100, download.bytesDownloaded());
        assertEquals(100, download.bytesDurable());
        assertTrue(download.hasAllBytes());
    }

    @Test
    void adoptingAnEmptyPartFileForgetsTheVersionAndTheHeader() {
        Download download = paused(80, 60);
        download.adoptPartFile(0, 0, NOW);
        assertEquals(0, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
        assertEquals(Optional.empty(), download.validator());
        assertEquals(Optional.empty(), download.header());
    }

    @Test
    void aPartFileWithNothingDurableCanBeAdopted() {
        Download download = paused(80, 60);
        download.adoptPartFile(50, 0, NOW);
        assertEquals(50, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
    }

    @Test
    void aPartFileIsNotAdoptedWithImpossibleMarks() {
        Download download = paused(80, 60);
        assertThrows(IllegalArgumentException.class, () -> download.adoptPartFile(-1, 0, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.adoptPartFile(10, -1, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.adoptPartFile(10, 11, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.adoptPartFile(101, 0, NOW));
        assertEquals(80, download.bytesDownloaded());
        assertEquals(60, download.bytesDurable());
    }

    @Test
    void aPartFileIsNotAdoptedWhileDownloadingNorOnceComplete() {
        Download running = downloading();
        running.recordProgress(50, NOW);
        assertThrows(IllegalStateException.class, () -> running.adoptPartFile(10, 10, NOW));
        assertEquals(50, running.bytesDownloaded());

        Download complete = Download.builder().id(new DownloadId("d")).url("https://h/x")
                .expectedSha256(new Sha256("a".repeat(64))).outputPath("/o").partPath("/p").createdAt(NOW)
                .state(DownloadState.COMPLETE).bytesDownloaded(10).build();
        assertThrows(IllegalStateException.class, () -> complete.adoptPartFile(10, 10, NOW));
    }

    @Test
    void aPendingDownloadMayAdoptAPartFile() {
        Download download = DownloadStateTest.newDownload();
        download.adoptPartFile(30, 30, NOW);
        assertEquals(30, download.bytesDownloaded());
    }

    @Test
    void truncatingClampsTheDurableMarkButKeepsTheVersionOfTheBytesLeft() {
        Download download = paused(80, 60);
        download.truncateTo(70, NOW);
        assertEquals(70, download.bytesDownloaded());
        assertEquals(60, download.bytesDurable(), "a durable mark below the cut stays where it was");
        download.truncateTo(50, NOW);
        assertEquals(50, download.bytesDownloaded());
        assertEquals(50, download.bytesDurable());
        assertEquals(Optional.of(ETAG), download.validator());
        assertEquals(Optional.of(GCM_NONCE), download.header());
    }

    @Test
    void truncatingToTheCurrentLengthChangesNothing() {
        Download download = paused(80, 60);
        download.truncateTo(80, NOW);
        assertEquals(80, download.bytesDownloaded());
        assertEquals(60, download.bytesDurable());
    }

    @Test
    void truncatingToZeroForgetsTheVersionAndTheHeader() {
        Download download = paused(80, 60);
        download.truncateTo(0, NOW);
        assertEquals(0, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
        assertEquals(Optional.empty(), download.validator());
        assertEquals(Optional.empty(), download.header());
    }

    @Test
    void truncatingOnlyEverMovesBack() {
        Download download = paused(80, 60);
        assertThrows(IllegalArgumentException.class, () -> download.truncateTo(81, NOW));
        assertThrows(IllegalArgumentException.class, () -> download.truncateTo(-1, NOW));
        assertEquals(80, download.bytesDownloaded());
    }

    @Test
    void aRestartFromZeroForgetsTheHeaderTheDurableMarkTheEncodingAndTheValidator() {
        Download download = paused(80, 60);
        download.recordPartEncoding(PartEncoding.SERVED, NOW);
        download.restartFromZero("the remote object changed", NOW);
        assertEquals(0, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
        assertEquals(Optional.empty(), download.header());
        assertEquals(Optional.empty(), download.validator());
        assertEquals(PartEncoding.PLAIN, download.partEncoding());
        assertEquals(Optional.of("the remote object changed"), download.lastError());
    }

    @Test
    void aRestartFromZeroForgetsTheOutputBeingPlaced() {
        Download download = verifying(100);
        download.placing(100, NOW);
        download.restartFromZero("output vanished", NOW);
        assertEquals(OptionalLong.empty(), download.placedSize());
        assertFalse(download.wasPlaced(false, OptionalLong.of(100)));
    }

    @Test
    void theHeaderIsTheCiphersNonceOrIvInLowerCaseHex() {
        Download download = withCipher(CipherName.AES_256_GCM);
        download.recordHeader(GCM_NONCE, NOW);
        assertEquals(Optional.of(GCM_NONCE), download.header());

        Download cbc = withCipher(CipherName.AES_256_CBC);
        cbc.recordHeader("00112233445566778899aabbccddeeff", NOW);
        assertEquals(Optional.of("00112233445566778899aabbccddeeff"), cbc.header());
    }

    @Test
    void aHeaderOfTheWrongLengthOrNotLowerCaseHexIsRefused() {
        Download download = withCipher(CipherName.AES_256_GCM);
        assertThrows(IllegalArgumentException.class, () -> download.recordHeader(GCM_NONCE + "00", NOW));
        assertThrows(IllegalArgumentException.class, () -> download.recordHeader(GCM_NONCE.substring(2), NOW));
        assertThrows(IllegalArgumentException.class, () -> download.recordHeader(GCM_NONCE.toUpperCase(), NOW));
        assertThrows(IllegalArgumentException.class, () -> download.recordHeader("x".repeat(24), NOW));
        assertEquals(Optional.empty(), download.header());
    }

    @Test
    void aPlainArtifactHasAnEmptyHeader() {
        Download download = withCipher(CipherName.NONE);
        assertThrows(IllegalArgumentException.class, () -> download.recordHeader("00", NOW));
        download.recordHeader("", NOW);
        assertEquals(Optional.of(""), download.header());
    }

    @Test
    void theBootAndTheEncodingAreRemembered() {
        Download download = DownloadStateTest.newDownload();
        assertEquals(Optional.empty(), download.bootId());
        assertEquals(PartEncoding.PLAIN, download.partEncoding());
        download.recordBoot("boot-1", NOW);
        download.recordPartEncoding(PartEncoding.SERVED, NOW);
        assertEquals(Optional.of("boot-1"), download.bootId());
        assertEquals(PartEncoding.SERVED, download.partEncoding());
    }

    @Test
    void placingRecordsTheOutputSizeAndMovesToDecrypting() {
        Download download = verifying(100);
        assertEquals(OptionalLong.empty(), download.placedSize());
        download.placing(100, NOW);
        assertEquals(DownloadState.DECRYPTING, download.state());
        assertEquals(OptionalLong.of(100), download.placedSize());
    }

    @Test
    void anEmptyOutputCanBePlacedButNotOneOfNegativeSize() {
        Download empty = verifying(100);
        empty.placing(0, NOW);
        assertEquals(OptionalLong.of(0), empty.placedSize());

        Download negative = verifying(100);
        assertThrows(IllegalArgumentException.class, () -> negative.placing(-1, NOW));
        assertEquals(OptionalLong.empty(), negative.placedSize());
    }

    @Test
    void placingIsOnlyAStepAfterVerifying() {
        Download download = downloading();
        assertThrows(IllegalTransitionException.class, () -> download.placing(100, NOW));
        assertEquals(OptionalLong.empty(), download.placedSize());
    }

    @Test
    void aPlacedOutputIsAcceptedOnlyWhenThePartIsGoneAndTheSizesMatch() {
        Download download = verifying(100);
        download.placing(100, NOW);
        assertTrue(download.wasPlaced(false, OptionalLong.of(100)));
        assertFalse(download.wasPlaced(true, OptionalLong.of(100)), "the part is still there: not renamed yet");
        assertFalse(download.wasPlaced(false, OptionalLong.empty()), "no output");
        assertFalse(download.wasPlaced(false, OptionalLong.of(99)), "an output of another size");
    }

    @Test
    void anOutputIsNotTakenAsPlacedWithoutARecordOfPlacingIt() {
        Download decrypting = Download.builder().id(new DownloadId("d")).url("https://h/x")
                .expectedSha256(new Sha256("a".repeat(64))).outputPath("/o").partPath("/p").createdAt(NOW)
                .state(DownloadState.DECRYPTING).bytesDownloaded(100).build();
        assertFalse(decrypting.wasPlaced(false, OptionalLong.of(100)));

        Download paused = Download.builder().id(new DownloadId("d")).url("https://h/x")
                .expectedSha256(new Sha256("a".repeat(64))).outputPath("/o").partPath("/p").createdAt(NOW)
                .state(DownloadState.PAUSED).bytesDownloaded(100).placedSize(100L).build();
        assertFalse(paused.wasPlaced(false, OptionalLong.of(100)), "placing was abandoned");
    }

    private static Download downloading() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        return download;
    }

    private static Download verifying(long bytes) {
        Download download = downloading();
        download.recordProgress(bytes, NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        return download;
    }

    /** Paused with {@code written} bytes, {@code durable} of them synced, a validator and a GCM nonce. */
    private static Download paused(long written, long durable) {
        return Download.builder().id(new DownloadId("d")).url("https://cdn.example/a.bin")
                .expectedSha256(new Sha256("a".repeat(64))).expectedSize(OptionalLong.of(100))
                .cipher(CipherName.AES_256_GCM).outputPath("/o").partPath("/p").createdAt(NOW)
                .state(DownloadState.PAUSED).bytesDownloaded(written).bytesDurable(durable).validator(ETAG)
                .header(GCM_NONCE).build();
    }

    private static Download withCipher(CipherName cipher) {
        return Download.create(new DownloadId("d"), new SourceUrl("https://cdn.example/a.bin"),
                new Sha256("a".repeat(64)), OptionalLong.of(100), cipher, "/o", "/p", NOW);
    }
}
