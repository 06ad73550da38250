package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DownloadTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Sha256 OTHER = new Sha256("b".repeat(64));

    @Test
    void aCopyHasEveryFieldAsItWasAndKeepsThemWhileTheOriginalChanges() throws Exception {
        Download original = Download.builder().id(new DownloadId("copied")).url("https://h/x")
                .expectedSha256(new Sha256("a".repeat(64))).expectedSize(OptionalLong.of(100_000))
                .cipher(CipherName.AES_256_GCM).outputPath("/o/x").partPath("/o/x.part").createdAt(NOW)
                .updatedAt(NOW.plusSeconds(5)).state(DownloadState.PAUSED).bytesDownloaded(12 + 30).attempts(2)
                .restarts(1).mismatchedSha256(OTHER).nextAttemptAt(NOW.plusSeconds(60)).lastError("reset")
                .validator(new Validator("\"v\"", "https://h/x")).bytesDurable(12L + 10).bootId("boot")
                .header("00".repeat(12)).partEncoding(PartEncoding.PLAIN).placedSize(7L).reportedSize(100_000L)
                .bytesReused(3L)
                .pieces(PieceMap.of(java.util.List.of(new PieceMap.Range(0, 10), new PieceMap.Range(20, 40))))
                .durablePieces(PieceMap.of(java.util.List.of(new PieceMap.Range(0, 10)))).build();
        Map<String, Object> before = fields(original);
        Download copy = original.copy();
        assertNotSame(original, copy);
        assertEquals(before, fields(copy));
        for (java.lang.reflect.Field field : Download.class.getDeclaredFields()) {
            if (!java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                field.setAccessible(true);
                assertEquals(field.get(original), field.get(copy), field.getName() + ", a field fields() may not list");
            }
        }

        original.startAttempt(NOW.plusSeconds(9));
        original.recordPieces(PieceMap.of(java.util.List.of(new PieceMap.Range(0, 50))),
                PieceMap.of(java.util.List.of(new PieceMap.Range(0, 20))), NOW.plusSeconds(10));
        assertNotEquals(before, fields(original), "the original changed");
        assertEquals(before, fields(copy), "the copy did not");
    }

    private static Map<String, Object> fields(Download d) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", d.id());
        f.put("url", d.url());
        f.put("sha256", d.expectedSha256());
        f.put("size", d.expectedSize());
        f.put("cipher", d.cipher());
        f.put("output", d.outputPath());
        f.put("part", d.partPath());
        f.put("created", d.createdAt());
        f.put("updated", d.updatedAt());
        f.put("state", d.state());
        f.put("bytes", d.bytesDownloaded());
        f.put("attempts", d.attempts());
        f.put("restarts", d.restarts());
        f.put("mismatched", d.mismatchedSha256());
        f.put("next", d.nextAttemptAt());
        f.put("error", d.lastError());
        f.put("validator", d.validator());
        f.put("durable", d.bytesDurable());
        f.put("boot", d.bootId());
        f.put("header", d.header());
        f.put("encoding", d.partEncoding());
        f.put("placed", d.placedSize());
        f.put("reported", d.reportedSize());
        f.put("reused", d.bytesReused());
        f.put("pieces", d.pieces());
        f.put("durablePieces", d.durablePieces());
        f.put("piecewise", d.piecewise());
        return f;
    }

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
            // Other wrong bytes each time (a flaky source or a corrupting link): worth another download.
            assertTrue(download.verificationFailed(new Sha256(Integer.toString(restart).repeat(64)), 2, NOW));
            assertEquals(Optional.of(new Sha256(Integer.toString(restart).repeat(64))), download.mismatchedSha256());
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

    @Test
    void aNewDownloadIsPendingWithNothingDoneYet() {
        Download download = DownloadStateTest.newDownload();
        assertEquals(new DownloadId("d1"), download.id());
        assertEquals("https://cdn.example/a.bin", download.url());
        assertEquals(new Sha256("a".repeat(64)), download.expectedSha256());
        assertEquals(OptionalLong.of(100), download.expectedSize());
        assertEquals(CipherName.NONE, download.cipher());
        assertEquals("/out/a.bin", download.outputPath());
        assertEquals("/state/d1.part", download.partPath());
        assertEquals(DownloadState.PENDING, download.state());
        assertEquals(0, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
        assertEquals(0, download.attempts());
        assertEquals(0, download.restarts());
        assertEquals(NOW, download.createdAt());
        assertEquals(NOW, download.updatedAt());
        assertEquals(Optional.empty(), download.nextAttemptAt());
        assertEquals(Optional.empty(), download.lastError());
        assertEquals(Optional.empty(), download.validator());
        assertEquals(Optional.empty(), download.header());
        assertEquals(PartEncoding.PLAIN, download.partEncoding());
        assertEquals(OptionalLong.empty(), download.placedSize());
    }

    @Test
    void aFailedAttemptPausesUntilItsRetryTimeAndTheNextAttemptForgetsThatTime() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.attemptFailed("connection reset", NOW.plusSeconds(60), NOW);
        assertEquals(DownloadState.PAUSED, download.state());
        assertEquals(1, download.attempts());
        assertEquals(Optional.of("connection reset"), download.lastError());
        assertEquals(Optional.of(NOW.plusSeconds(60)), download.nextAttemptAt());
        download.startAttempt(NOW.plusSeconds(60));
        assertEquals(DownloadState.DOWNLOADING, download.state());
        assertEquals(Optional.empty(), download.nextAttemptAt());
    }

    @Test
    void startingAnAttemptWhileDownloadingIsNoChange() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(10, NOW);
        download.startAttempt(NOW.plusSeconds(1));
        assertEquals(DownloadState.DOWNLOADING, download.state());
        assertEquals(10, download.bytesDownloaded());
        assertEquals(NOW, download.updatedAt());
    }

    @Test
    void pausingForActionCountsNoFailedAttemptAndSetsNoRetryTime() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        download.startAttempt(NOW);
        download.pauseForAction("the presigned URL expired", NOW);
        assertEquals(DownloadState.PAUSED, download.state());
        assertEquals(1, download.attempts());
        assertEquals(Optional.empty(), download.nextAttemptAt());
        assertEquals(Optional.of("the presigned URL expired"), download.lastError());
    }

    @Test
    void pausingForActionIsRefusedWhereNoPauseIsAllowed() {
        Download download = DownloadStateTest.newDownload();
        assertThrows(IllegalTransitionException.class, () -> download.pauseForAction("disk full", NOW));
        assertEquals(Optional.empty(), download.lastError());
    }

    @Test
    void retryingAFailedDownloadStartsAFreshRoundOfAttemptsAndRestarts() {
        Download download = Download.builder().id(new DownloadId("d")).url("https://h/x").expectedSha256(OTHER)
                .outputPath("/o").partPath("/p").createdAt(NOW).state(DownloadState.FAILED).bytesDownloaded(40)
                .attempts(5).restarts(2).lastError("gave up").build();
        download.retryAfterFailure(NOW);
        assertEquals(DownloadState.PENDING, download.state());
        assertEquals(0, download.attempts());
        assertEquals(0, download.restarts());
        assertEquals(40, download.bytesDownloaded(), "the bytes already there are kept");
    }

    @Test
    void onlyAFailedDownloadCanBeRetried() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        assertThrows(IllegalTransitionException.class, () -> download.retryAfterFailure(NOW));
        assertEquals(1, download.attempts());
    }

    @Test
    void completingClearsTheLastError() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(100, NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        download.placing(100, NOW);
        download.attemptFailed("rename failed", NOW.plusSeconds(60), NOW);
        download.startAttempt(NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        download.moveTo(DownloadState.DECRYPTING, NOW);
        download.complete(NOW);
        assertEquals(DownloadState.COMPLETE, download.state());
        assertEquals(Optional.empty(), download.lastError());
    }

    @Test
    void completingIsOnlyAStepAfterDecrypting() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        assertThrows(IllegalTransitionException.class, () -> download.complete(NOW));
        assertEquals(DownloadState.DOWNLOADING, download.state());
    }

    @Test
    void verificationCanOnlyFailWhileVerifying() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(100, NOW);
        assertThrows(IllegalStateException.class, () -> download.verificationFailed(OTHER, 2, NOW));
        assertEquals(100, download.bytesDownloaded());
        assertEquals(0, download.restarts());
    }

    @Test
    void theSameWrongSha256TwiceInARowFailsAtOnceWhateverRestartsRemain() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(100, NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        assertTrue(download.verificationFailed(OTHER, 5, NOW));
        download.recordProgress(100, NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        assertFalse(download.verificationFailed(OTHER, 5, NOW), "the source serves these bytes consistently");
        assertEquals(DownloadState.FAILED, download.state());
        assertEquals(1, download.restarts());
        String error = download.lastError().orElseThrow();
        assertTrue(error.startsWith("SHA-256 mismatch: expected " + "a".repeat(64) + ", got " + OTHER.hex()
                + " again, as the download before it"), error);
        assertTrue(error.endsWith("gave up after 1 restart"), error);

        download.retryAfterFailure(NOW);
        assertEquals(Optional.of(OTHER), download.mismatchedSha256(), "kept for the next round");
        download.startAttempt(NOW);
        download.recordProgress(100, NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        assertFalse(download.verificationFailed(OTHER, 5, NOW), "a rerun that brings them again stops at once");
        assertEquals(0, download.restarts());
    }

    @Test
    void theFinalMismatchSaysHowManyRestartsWereSpent() {
        assertTrue(failWithNoRestartsLeft(0).contains("(gave up after 0 restarts)"));
        assertTrue(failWithNoRestartsLeft(1).contains("(gave up after 1 restart)"));
        assertTrue(failWithNoRestartsLeft(2).contains("(gave up after 2 restarts)"));
    }

    private static String failWithNoRestartsLeft(int restarts) {
        Download download = Download.builder().id(new DownloadId("d")).url("https://h/x").expectedSha256(OTHER)
                .outputPath("/o").partPath("/p").createdAt(NOW).state(DownloadState.VERIFYING)
                .restarts(restarts).build();
        assertFalse(download.verificationFailed(new Sha256("c".repeat(64)), restarts, NOW));
        return download.lastError().orElseThrow();
    }

    @Test
    void aFreshUrlKeepsTheBytesAndIsStoredWithoutSecrets() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(30, NOW);
        download.changeUrl(new SourceUrl("https://mirror.example/a.bin?X-Amz-Signature=fresh"), NOW);
        assertEquals("https://mirror.example/a.bin", download.url());
        assertEquals(30, download.bytesDownloaded());
    }

    @Test
    void showsIdStateProgressAndUrl() {
        Download download = DownloadStateTest.newDownload();
        download.startAttempt(NOW);
        download.recordProgress(30, NOW);
        assertEquals("Download[d1 downloading 30/100 https://cdn.example/a.bin]", download.toString());
        Download unknownSize = Download.create(new DownloadId("d2"), new SourceUrl("s3://bucket/k"), OTHER,
                OptionalLong.empty(), CipherName.NONE, "/o", "/p", NOW);
        assertEquals("Download[d2 pending 0/? s3://bucket/k]", unknownSize.toString());
    }

    @Test
    void everyChangeStampsTheTimeItWasMade() {
        Download download = Download.create(new DownloadId("d"), new SourceUrl("https://cdn.example/a.bin"), OTHER,
                OptionalLong.of(100), CipherName.AES_256_CTR, "/o", "/p", NOW);
        // Applied in this order, each one second after the one before.
        Map<String, Consumer<Instant>> changes = new LinkedHashMap<>();
        changes.put("startAttempt", download::startAttempt);
        changes.put("recordValidator",
                at -> download.recordValidator(new Validator("v1", "https://cdn.example/a.bin"), at));
        changes.put("recordHeader", at -> download.recordHeader("00".repeat(16), at));
        changes.put("recordProgress", at -> download.recordProgress(50, at));
        changes.put("recordProgress with a durable mark", at -> download.recordProgress(60, 55, at));
        changes.put("recordDurable", at -> download.recordDurable(60, at));
        changes.put("recordBoot", at -> download.recordBoot("boot-2", at));
        changes.put("recordPartEncoding", at -> download.recordPartEncoding(PartEncoding.SERVED, at));
        changes.put("changeUrl", at -> download.changeUrl(new SourceUrl("https://mirror.example/a.bin"), at));
        changes.put("attemptFailed", at -> download.attemptFailed("reset", at.plusSeconds(60), at));
        changes.put("adoptPartFile", at -> download.adoptPartFile(40, 40, at));
        changes.put("truncateTo", at -> download.truncateTo(20, at));
        changes.put("restartFromZero", at -> download.restartFromZero("changed", at));
        changes.put("moveTo", at -> download.moveTo(DownloadState.DOWNLOADING, at));
        Instant at = NOW;
        for (Map.Entry<String, Consumer<Instant>> change : changes.entrySet()) {
            at = at.plusSeconds(1);
            change.getValue().accept(at);
            assertEquals(at, download.updatedAt(), change.getKey());
        }
    }

    @Test
    void readsBackEveryStoredField() {
        Validator validator = new Validator("\"v\"", "https://cdn.example/a.bin");
        Download download = Download.builder().id(new DownloadId("d")).url("https://cdn.example/a.bin?sig=s")
                .expectedSha256(OTHER).expectedSize(OptionalLong.of(100)).cipher(CipherName.AES_256_CBC)
                .outputPath("/o").partPath("/p").createdAt(NOW).updatedAt(NOW.plusSeconds(5))
                .state(DownloadState.DECRYPTING).bytesDownloaded(100).attempts(3).restarts(1)
                .nextAttemptAt(NOW.plusSeconds(9)).lastError("slow").validator(validator).bytesDurable(90L)
                .bootId("boot-1").header("ab".repeat(16)).partEncoding(PartEncoding.SERVED).placedSize(96L).build();
        assertEquals("https://cdn.example/a.bin", download.url());
        assertEquals(CipherName.AES_256_CBC, download.cipher());
        assertEquals(NOW, download.createdAt());
        assertEquals(NOW.plusSeconds(5), download.updatedAt());
        assertEquals(DownloadState.DECRYPTING, download.state());
        assertEquals(100, download.bytesDownloaded());
        assertEquals(3, download.attempts());
        assertEquals(1, download.restarts());
        assertEquals(Optional.of(NOW.plusSeconds(9)), download.nextAttemptAt());
        assertEquals(Optional.of("slow"), download.lastError());
        assertEquals(Optional.of(validator), download.validator());
        assertEquals(90, download.bytesDurable());
        assertEquals(Optional.of("boot-1"), download.bootId());
        assertEquals(Optional.of("ab".repeat(16)), download.header());
        assertEquals(PartEncoding.SERVED, download.partEncoding());
        assertEquals(OptionalLong.of(96), download.placedSize());
        assertTrue(download.hasAllBytes());
    }

    @Test
    void aStoredDocumentWithoutADurableMarkHadSyncedEverythingItClaimed() {
        Download download = storedWithSize(10).bytesDownloaded(7).build();
        assertEquals(7, download.bytesDurable());
        assertEquals(NOW, download.updatedAt(), "nor an update time: it was last changed when it was created");
    }

    @Test
    void storedMarksMayMeetTheirLimits() {
        Download full = storedWithSize(10).bytesDownloaded(10).bytesDurable(10L).build();
        assertTrue(full.hasAllBytes());
        Download empty = storedWithSize(0).build();
        assertTrue(empty.hasAllBytes());
        Download nothingDurable = storedWithSize(10).bytesDownloaded(10).bytesDurable(0L).build();
        assertEquals(0, nothingDurable.bytesDurable());
    }

    @Test
    void refusesStoredMarksThatContradictEachOther() {
        assertThrows(IllegalArgumentException.class,
                () -> storedWithSize(10).bytesDownloaded(5).bytesDurable(6L).build());
        assertThrows(IllegalArgumentException.class,
                () -> storedWithSize(10).bytesDownloaded(5).bytesDurable(-1L).build());
        assertThrows(IllegalArgumentException.class, () -> storedWithSize(-1).build());
        assertThrows(IllegalArgumentException.class, () -> storedWithSize(10).attempts(-1).build());
        assertThrows(IllegalArgumentException.class, () -> storedWithSize(10).restarts(-1).build());
    }

    @Test
    void refusesAStoredHeaderThatIsNotLowerCaseHex() {
        assertThrows(IllegalArgumentException.class, () -> storedWithSize(10).header("ABCD").build());
        assertThrows(IllegalArgumentException.class, () -> storedWithSize(10).header("nonce").build());
        assertEquals(Optional.of("abcd"), storedWithSize(10).header("abcd").build().header());
    }

    @Test
    void refusesAStoredDownloadWithAMissingField() {
        assertThrows(NullPointerException.class, () -> storedWithSize(10).id(null).build());
        assertThrows(NullPointerException.class, () -> storedWithSize(10).url(null).build());
        assertThrows(NullPointerException.class, () -> storedWithSize(10).partEncoding(null).build());
        assertThrows(NullPointerException.class, () -> storedWithSize(10).state(null).build());
    }

    private static Download.Builder storedWithSize(long expectedSize) {
        return Download.builder().id(new DownloadId("d")).url("https://h/x").expectedSha256(OTHER)
                .expectedSize(OptionalLong.of(expectedSize)).outputPath("/o").partPath("/p").createdAt(NOW);
    }

    @Test
    void aSizeAServerToldIsKeptForStatusAndForgottenWithTheBytes() {
        Download download = DownloadStateTest.newDownload();
        assertEquals(java.util.OptionalLong.empty(), download.reportedSize());
        download.recordReportedSize(5_000, NOW);
        assertEquals(java.util.OptionalLong.of(5_000), download.reportedSize());
        assertThrows(IllegalArgumentException.class, () -> download.recordReportedSize(-1, NOW));
        download.restartFromZero("changed", NOW);
        assertEquals(java.util.OptionalLong.empty(), download.reportedSize(), "another object may have another size");
        assertThrows(IllegalArgumentException.class, () -> Download.builder().id(new DownloadId("x"))
                .url("https://h/x").expectedSha256(OTHER).outputPath("/o").partPath("/p").createdAt(NOW)
                .reportedSize(-2L).build());
    }
}
