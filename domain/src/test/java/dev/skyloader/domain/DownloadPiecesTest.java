package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.domain.PieceMap.Range;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A part fetched over several connections: its written and durable ranges, how the byte counts follow them (the
 * cipher's header counts once it is known), and how they meet the older prefix marks.
 */
class DownloadPiecesTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant LATER = NOW.plusSeconds(7);
    private static final Validator ETAG = new Validator("\"etag\"", "https://cdn.example/a.bin");
    private static final String GCM_NONCE = "0123456789abcdef01234567";
    private static final String CTR_IV = "00112233445566778899aabbccddeeff";
    private static final PieceMap GAPS = map(0, 10, 20, 30);

    // ---- recordPieces ----

    @Test
    void rangesWithGapsBeforeTheHeaderIsKnownAreRefused() {
        Download download = downloading(CipherName.AES_256_GCM);
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(GAPS, PieceMap.empty(), LATER));
        assertEquals(0, download.bytesDownloaded());
        assertEquals(PieceMap.empty(), download.pieces());
    }

    @Test
    void rangesPastTheExpectedSizeAreRefused() {
        Download none = downloading(CipherName.NONE);
        assertThrows(IllegalArgumentException.class, () -> none.recordPieces(map(0, 10, 95, 101), PieceMap.empty(),
                LATER));
        none.recordPieces(map(0, 10, 95, 100), PieceMap.empty(), LATER);
        assertEquals(15, none.bytesDownloaded(), "up to the very last byte is fine");

        Download gcm = downloading(CipherName.AES_256_GCM);
        gcm.recordHeader(GCM_NONCE, NOW);
        assertThrows(IllegalArgumentException.class, () -> gcm.recordPieces(map(0, 10, 80, 89), PieceMap.empty(),
                LATER), "the header takes 12 of the 100 bytes");
        gcm.recordPieces(map(0, 10, 80, 88), PieceMap.empty(), LATER);
        assertEquals(12 + 18, gcm.bytesDownloaded());
    }

    @Test
    void aStoredDocumentWhosePiecesDoNotAgreeWithItsCountsIsRefused() {
        // A prefix that says more than the count.
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).state(DownloadState.PAUSED)
                .bytesDownloaded(50).pieces(PieceMap.prefixOf(100)).build());
        // Gaps, and no durable ranges: the durable count (all 20) would call a gap durable.
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).state(DownloadState.PAUSED)
                .bytesDownloaded(20).pieces(GAPS).build());
        // Past the expected size.
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).state(DownloadState.PAUSED)
                .bytesDownloaded(20).bytesDurable(0L).pieces(map(0, 10, 95, 105)).build());
        // The same, agreeing, loads.
        Download fine = stored(CipherName.NONE).state(DownloadState.PAUSED).bytesDownloaded(20).bytesDurable(0L)
                .pieces(GAPS).build();
        assertEquals(GAPS, fine.pieces());
        assertEquals(PieceMap.empty(), fine.durablePieces());
    }

    @Test
    void piecesWithGapsCountTheirBytesAndAreKept() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 10), LATER);
        assertEquals(20, download.bytesDownloaded());
        assertEquals(10, download.bytesDurable());
        assertEquals(GAPS, download.pieces());
        assertEquals(map(0, 10), download.durablePieces());
        assertEquals(LATER, download.updatedAt());
    }

    @Test
    void theHeaderCountsOnceInTheWrittenAndInTheDurableBytes() {
        Download download = downloading(CipherName.AES_256_GCM);
        download.recordHeader(GCM_NONCE, NOW);
        download.recordPieces(GAPS, map(20, 30), LATER);
        assertEquals(12 + 20, download.bytesDownloaded());
        assertEquals(12 + 10, download.bytesDurable());
        assertEquals(GAPS, download.pieces());
        assertEquals(map(20, 30), download.durablePieces());

        Download ctr = downloading(CipherName.AES_256_CTR);
        ctr.recordHeader(CTR_IV, NOW);
        ctr.recordPieces(GAPS, PieceMap.empty(), LATER);
        assertEquals(16 + 20, ctr.bytesDownloaded());
        assertEquals(16, ctr.bytesDurable(), "the header is known, and kept in the state");
        assertEquals(PieceMap.empty(), ctr.durablePieces());
    }

    @Test
    void beforeTheHeaderIsKnownNoByteCounts() {
        Download download = downloading(CipherName.AES_256_GCM);
        download.recordPieces(PieceMap.prefixOf(10), PieceMap.prefixOf(10), LATER);
        assertEquals(0, download.bytesDownloaded());
        assertEquals(0, download.bytesDurable());
        assertEquals(PieceMap.empty(), download.pieces());
        assertEquals(PieceMap.empty(), download.durablePieces());
    }

    @Test
    void piecesThatCloseTheirGapsBecomeAPrefixAgain() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, PieceMap.empty(), NOW);
        download.recordPieces(PieceMap.prefixOf(30), PieceMap.prefixOf(30), NOW);
        assertEquals(PieceMap.prefixOf(30), download.pieces());
        assertEquals(PieceMap.prefixOf(30), download.durablePieces());
        download.recordProgress(40, 35, NOW);
        assertEquals(PieceMap.prefixOf(40), download.pieces(), "a prefix is kept as the byte count alone");
        assertEquals(PieceMap.prefixOf(35), download.durablePieces());
        download.recordDurable(40, NOW);
        assertEquals(PieceMap.prefixOf(40), download.durablePieces());
    }

    @Test
    void theSamePiecesMayBeRecordedAgain() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 5), NOW);
        download.recordPieces(GAPS, map(0, 5), LATER);
        assertEquals(GAPS, download.pieces());
        assertEquals(map(0, 5), download.durablePieces());
        assertEquals(20, download.bytesDownloaded());
        assertEquals(5, download.bytesDurable());
        assertEquals(LATER, download.updatedAt());
    }

    @Test
    void writtenPiecesNeverShrink() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 5), NOW);
        assertThrows(IllegalArgumentException.class,
                () -> download.recordPieces(map(0, 10), map(0, 5), LATER), "a range forgotten");
        assertThrows(IllegalArgumentException.class,
                () -> download.recordPieces(map(0, 10, 21, 30), map(0, 5), LATER), "one byte forgotten");
        assertUnchanged(download, GAPS, map(0, 5), 20, 5);
    }

    @Test
    void writtenPiecesDoNotShrinkBelowAPrefixRecordedAsBytesEither() {
        Download download = downloading(CipherName.NONE);
        download.recordProgress(30, 10, NOW);
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(map(0, 29), map(0, 10), LATER));
        assertThrows(IllegalArgumentException.class,
                () -> download.recordPieces(map(0, 10, 11, 40), map(0, 10), LATER));
        download.recordPieces(map(0, 30, 40, 50), map(0, 10), LATER);
        assertEquals(40, download.bytesDownloaded());
    }

    @Test
    void durablePiecesStayWithinTheWrittenOnes() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 5), NOW);
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(GAPS, map(0, 11), LATER));
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(GAPS, map(0, 5, 15, 16), LATER));
        assertUnchanged(download, GAPS, map(0, 5), 20, 5);
    }

    @Test
    void durablePiecesNeverShrink() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 5, 20, 30), NOW);
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(GAPS, map(0, 5), LATER));
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(GAPS, map(0, 5, 21, 30), LATER));
        assertThrows(IllegalArgumentException.class, () -> download.recordPieces(GAPS, map(1, 5, 20, 30), LATER));
        assertUnchanged(download, GAPS, map(0, 5, 20, 30), 20, 15);
    }

    @Test
    void durablePiecesDoNotShrinkBelowADurablePrefixRecordedAsBytes() {
        Download download = downloading(CipherName.NONE);
        download.recordProgress(30, 20, NOW);
        assertThrows(IllegalArgumentException.class,
                () -> download.recordPieces(map(0, 30, 40, 50), map(0, 19), LATER));
        assertEquals(20, download.bytesDurable());
        assertEquals(30, download.bytesDownloaded());
    }

    @Test
    void piecesAreRecordedOnlyWhileDownloading() {
        Download download = paused(CipherName.NONE, GAPS, map(0, 5));
        assertThrows(IllegalStateException.class,
                () -> download.recordPieces(map(0, 10, 20, 40), map(0, 5), LATER));
        assertUnchanged(download, GAPS, map(0, 5), 20, 5);
        assertEquals(NOW, download.updatedAt());
    }

    @Test
    void piecesMayCountUpToTheExpectedSizeButNotPastIt() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(map(0, 40, 50, 100), PieceMap.empty(), NOW);
        assertEquals(90, download.bytesDownloaded());
        download.recordPieces(PieceMap.prefixOf(100), PieceMap.empty(), NOW);
        assertEquals(100, download.bytesDownloaded());
        assertTrue(download.hasAllBytes());
        Download over = downloading(CipherName.NONE);
        assertThrows(IllegalArgumentException.class,
                () -> over.recordPieces(PieceMap.prefixOf(101), PieceMap.empty(), LATER));
        assertEquals(0, over.bytesDownloaded());
        assertEquals(PieceMap.empty(), over.pieces());
    }

    @Test
    void piecesThatMoveBytesForgiveFailedAttemptsAndTheSamePiecesDoNot() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, PieceMap.empty(), NOW);
        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        download.startAttempt(NOW);
        download.recordPieces(GAPS, PieceMap.empty(), NOW);
        assertEquals(1, download.attempts());
        download.recordPieces(map(0, 10, 20, 31), PieceMap.empty(), NOW);
        assertEquals(0, download.attempts());
    }

    @Test
    void nullPiecesAreRefused() {
        Download download = downloading(CipherName.NONE);
        assertThrows(NullPointerException.class, () -> download.recordPieces(null, PieceMap.empty(), NOW));
        assertThrows(NullPointerException.class, () -> download.recordPieces(GAPS, null, NOW));
        assertThrows(NullPointerException.class, () -> download.recordDurablePieces(null, NOW));
        Download paused = paused(CipherName.NONE, GAPS, PieceMap.empty());
        assertThrows(NullPointerException.class, () -> paused.adoptPieces(null, PieceMap.empty(), NOW));
        assertThrows(NullPointerException.class, () -> paused.adoptPieces(GAPS, null, NOW));
    }

    // ---- recordDurablePieces ----

    @Test
    void durablePiecesGrowOnTheirOwnInAnyStateButComplete() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, PieceMap.empty(), NOW);
        download.recordDurablePieces(map(20, 30), LATER);
        assertEquals(map(20, 30), download.durablePieces());
        assertEquals(10, download.bytesDurable());
        assertEquals(20, download.bytesDownloaded());
        assertEquals(LATER, download.updatedAt());

        download.attemptFailed("reset", NOW.plusSeconds(60), NOW);
        download.recordDurablePieces(map(0, 3, 20, 30), LATER.plusSeconds(1));
        assertEquals(13, download.bytesDurable(), "paused");
        assertEquals(LATER.plusSeconds(1), download.updatedAt());
        download.fail("gave up", NOW);
        download.recordDurablePieces(GAPS, LATER);
        assertEquals(GAPS, download.durablePieces(), "failed");
        assertEquals(20, download.bytesDurable());
    }

    @Test
    void durablePiecesRecordedAloneCountTheHeader() {
        Download download = paused(CipherName.AES_256_GCM, GAPS, PieceMap.empty());
        assertEquals(12, download.bytesDurable());
        download.recordDurablePieces(map(20, 25), LATER);
        assertEquals(12 + 5, download.bytesDurable());
        assertEquals(12 + 20, download.bytesDownloaded());
    }

    @Test
    void durablePiecesRecordedAloneStayWithinTheWrittenOnesAndNeverShrink() {
        Download download = paused(CipherName.NONE, GAPS, map(20, 25));
        assertThrows(IllegalArgumentException.class, () -> download.recordDurablePieces(map(20, 31), LATER),
                "past the written ones");
        assertThrows(IllegalArgumentException.class, () -> download.recordDurablePieces(map(9, 11, 20, 25), LATER),
                "in the gap");
        assertThrows(IllegalArgumentException.class, () -> download.recordDurablePieces(map(21, 25), LATER),
                "one byte forgotten");
        assertThrows(IllegalArgumentException.class, () -> download.recordDurablePieces(map(0, 10), LATER),
                "a range forgotten");
        assertUnchanged(download, GAPS, map(20, 25), 20, 5);
        assertEquals(NOW, download.updatedAt());
    }

    @Test
    void aCompleteDownloadHasNoDurablePiecesLeftToRecord() {
        Download download = stored(CipherName.NONE).state(DownloadState.COMPLETE).bytesDownloaded(20).pieces(GAPS)
                .bytesDurable(10L).durablePieces(map(0, 10)).build();
        assertThrows(IllegalStateException.class, () -> download.recordDurablePieces(GAPS, LATER));
        assertEquals(map(0, 10), download.durablePieces());
        assertEquals(10, download.bytesDurable());
    }

    @Test
    void durablePiecesThatBecomeAPrefixAreKeptAsTheDurableCountAlone() {
        Download download = paused(CipherName.NONE, map(0, 30, 40, 50), map(20, 30));
        download.recordDurablePieces(PieceMap.prefixOf(30), LATER);
        assertEquals(PieceMap.prefixOf(30), download.durablePieces());
        assertEquals(30, download.bytesDurable());
    }

    // ---- adoptPieces ----

    @Test
    void adoptingPiecesMayTrustFewerBytesThanWereRecorded() {
        Download download = paused(CipherName.AES_256_GCM, map(0, 10, 20, 40, 50, 60), map(0, 10, 20, 30));
        download.adoptPieces(GAPS, map(20, 30), LATER);
        assertEquals(GAPS, download.pieces());
        assertEquals(map(20, 30), download.durablePieces());
        assertEquals(12 + 20, download.bytesDownloaded());
        assertEquals(12 + 10, download.bytesDurable());
        assertEquals(LATER, download.updatedAt());
        assertEquals(Optional.of(ETAG), download.validator(), "bytes remain, so their version still matters");
        assertEquals(Optional.of(GCM_NONCE), download.header());
    }

    @Test
    void adoptingPiecesMayTrustMoreBytesThanWereRecorded() {
        Download download = paused(CipherName.NONE, GAPS, PieceMap.empty());
        download.adoptPieces(map(0, 10, 15, 30, 40, 45), GAPS, LATER);
        assertEquals(map(0, 10, 15, 30, 40, 45), download.pieces());
        assertEquals(GAPS, download.durablePieces());
        assertEquals(30, download.bytesDownloaded());
        assertEquals(20, download.bytesDurable());
    }

    @Test
    void adoptingAPrefixLeavesADownloadThatRecordsProgressAsBytesAgain() {
        Download download = paused(CipherName.NONE, GAPS, map(0, 5));
        download.adoptPieces(PieceMap.prefixOf(10), PieceMap.prefixOf(5), LATER);
        assertEquals(PieceMap.prefixOf(10), download.pieces());
        assertEquals(PieceMap.prefixOf(5), download.durablePieces());
        download.startAttempt(LATER);
        download.recordProgress(20, 10, LATER);
        assertEquals(20, download.bytesDownloaded());
        assertEquals(PieceMap.prefixOf(20), download.pieces());
    }

    @Test
    void adoptingNothingForgetsTheVersionAndTheHeader() {
        Download plain = paused(CipherName.NONE, GAPS, map(0, 5));
        plain.adoptPieces(PieceMap.empty(), PieceMap.empty(), LATER);
        assertEquals(0, plain.bytesDownloaded());
        assertEquals(0, plain.bytesDurable());
        assertEquals(PieceMap.empty(), plain.pieces());
        assertEquals(PieceMap.empty(), plain.durablePieces());
        assertEquals(Optional.empty(), plain.validator());
        assertEquals(Optional.empty(), plain.header());
    }

    @Test
    void adoptingNoPiecesOfAnEncryptedPartKeepsTheHeaderItCounts() {
        Download download = paused(CipherName.AES_256_GCM, GAPS, map(0, 5));
        download.adoptPieces(PieceMap.empty(), PieceMap.empty(), LATER);
        assertEquals(12, download.bytesDownloaded());
        assertEquals(12, download.bytesDurable());
        assertEquals(PieceMap.empty(), download.pieces());
        assertEquals(Optional.of(GCM_NONCE), download.header());
        assertEquals(Optional.of(ETAG), download.validator());
    }

    @Test
    void adoptedDurablePiecesMustLieWithinTheAdoptedWrittenOnes() {
        Download download = paused(CipherName.NONE, GAPS, map(0, 5));
        assertThrows(IllegalArgumentException.class, () -> download.adoptPieces(GAPS, map(0, 11), LATER));
        assertThrows(IllegalArgumentException.class, () -> download.adoptPieces(GAPS, map(19, 20), LATER));
        assertUnchanged(download, GAPS, map(0, 5), 20, 5);
        assertEquals(NOW, download.updatedAt());
    }

    @Test
    void piecesOfAnEncryptedPartAreNotAdoptedWithoutItsHeader() {
        Download download = stored(CipherName.AES_256_CTR).state(DownloadState.PAUSED).build();
        assertThrows(IllegalArgumentException.class,
                () -> download.adoptPieces(map(0, 10), PieceMap.empty(), LATER));
        assertEquals(0, download.bytesDownloaded());
        assertEquals(PieceMap.empty(), download.pieces());
        download.adoptPieces(PieceMap.empty(), PieceMap.empty(), LATER);
        assertEquals(0, download.bytesDownloaded(), "nothing needs no header");
        assertEquals(LATER, download.updatedAt());

        Download plain = stored(CipherName.NONE).state(DownloadState.PAUSED).build();
        plain.adoptPieces(GAPS, map(0, 10), LATER);
        assertEquals(20, plain.bytesDownloaded(), "a plain part has no header to wait for");
        assertEquals(GAPS, plain.pieces());
    }

    @Test
    void piecesAreNotAdoptedWhileDownloadingNorOnceCompleteNorPastTheExpectedSize() {
        Download running = downloading(CipherName.NONE);
        running.recordPieces(GAPS, PieceMap.empty(), NOW);
        assertThrows(IllegalStateException.class, () -> running.adoptPieces(map(0, 10), PieceMap.empty(), LATER));
        assertEquals(GAPS, running.pieces());

        Download complete = stored(CipherName.NONE).state(DownloadState.COMPLETE).bytesDownloaded(100).build();
        assertThrows(IllegalStateException.class, () -> complete.adoptPieces(GAPS, PieceMap.empty(), LATER));
        assertEquals(PieceMap.prefixOf(100), complete.pieces());

        Download paused = paused(CipherName.NONE, GAPS, PieceMap.empty());
        assertThrows(IllegalArgumentException.class,
                () -> paused.adoptPieces(PieceMap.prefixOf(101), PieceMap.empty(), LATER));
        assertUnchanged(paused, GAPS, PieceMap.empty(), 20, 0);
        paused.adoptPieces(PieceMap.prefixOf(100), PieceMap.empty(), LATER);
        assertEquals(100, paused.bytesDownloaded());
    }

    @Test
    void aPendingDownloadMayAdoptPieces() {
        Download download = Download.create(new DownloadId("d"), new SourceUrl("https://cdn.example/a.bin"),
                new Sha256("a".repeat(64)), OptionalLong.of(100), CipherName.NONE, "/o", "/p", NOW);
        download.adoptPieces(GAPS, PieceMap.empty(), LATER);
        assertEquals(GAPS, download.pieces());
        assertEquals(DownloadState.PENDING, download.state());
    }

    // ---- pieces() and durablePieces() of a prefix ----

    @Test
    void aDownloadOverOneConnectionShowsItsMarksAsPrefixesOfThePart() {
        Download plain = downloading(CipherName.NONE);
        plain.recordProgress(60, 20, NOW);
        assertEquals(PieceMap.prefixOf(60), plain.pieces());
        assertEquals(PieceMap.prefixOf(20), plain.durablePieces());

        Download gcm = stored(CipherName.AES_256_GCM).state(DownloadState.PAUSED).header(GCM_NONCE)
                .bytesDownloaded(72).bytesDurable(32L).build();
        assertEquals(PieceMap.prefixOf(60), gcm.pieces(), "the part holds what follows the nonce");
        assertEquals(PieceMap.prefixOf(20), gcm.durablePieces());
    }

    @Test
    void bytesWithinTheHeaderAreNoPartBytes() {
        Download download = stored(CipherName.AES_256_CBC).state(DownloadState.PAUSED).bytesDownloaded(10)
                .bytesDurable(5L).build();
        assertEquals(PieceMap.empty(), download.pieces());
        assertEquals(PieceMap.empty(), download.durablePieces());
        Download exactly = stored(CipherName.AES_256_CBC).state(DownloadState.PAUSED).header(CTR_IV)
                .bytesDownloaded(16).bytesDurable(16L).build();
        assertEquals(PieceMap.empty(), exactly.pieces());
        assertEquals(PieceMap.empty(), exactly.durablePieces());
    }

    // ---- the builder ----

    @Test
    void storedPiecesLoadBackWhenTheyAddUp() {
        Download download = stored(CipherName.AES_256_GCM).state(DownloadState.PAUSED).header(GCM_NONCE)
                .bytesDownloaded(12 + 20).pieces(GAPS).bytesDurable(12L + 10).durablePieces(map(20, 30)).build();
        assertEquals(GAPS, download.pieces());
        assertEquals(map(20, 30), download.durablePieces());
        assertEquals(32, download.bytesDownloaded());
        assertEquals(22, download.bytesDurable());
    }

    @Test
    void storedPiecesMustAddUpToTheWrittenBytesWithTheHeader() {
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).bytesDownloaded(21).pieces(GAPS)
                .bytesDurable(0L).build());
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).bytesDownloaded(19).pieces(GAPS)
                .bytesDurable(0L).build());
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.AES_256_GCM).header(GCM_NONCE)
                .bytesDownloaded(20).pieces(GAPS).bytesDurable(0L).build(), "the nonce is missing from the count");
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.AES_256_GCM).header(GCM_NONCE)
                .bytesDownloaded(12 + 21).pieces(GAPS).bytesDurable(0L).build());
        assertEquals(GAPS, stored(CipherName.NONE).bytesDownloaded(20).pieces(GAPS).bytesDurable(0L).build()
                .pieces());
    }

    @Test
    void storedPiecesOfAnEncryptedPartNeedItsHeader() {
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.AES_256_GCM).bytesDownloaded(12 + 20)
                .pieces(GAPS).bytesDurable(0L).build());
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.AES_256_CTR).bytesDownloaded(16 + 20)
                .pieces(GAPS).bytesDurable(0L).build());
        Download plain = stored(CipherName.NONE).bytesDownloaded(20).pieces(GAPS).bytesDurable(0L).build();
        assertEquals(Optional.empty(), plain.header(), "a plain part needs none");
        assertEquals(GAPS, plain.pieces());
    }

    @Test
    void storedDurablePiecesMustLieWithinTheWrittenOnesAndAddUpToTheDurableBytes() {
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).bytesDownloaded(20).pieces(GAPS)
                .bytesDurable(10L).durablePieces(map(5, 15)).build(), "in the gap");
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).bytesDownloaded(20).pieces(GAPS)
                .bytesDurable(11L).durablePieces(map(20, 30)).build(), "one byte too many");
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).bytesDownloaded(20).pieces(GAPS)
                .bytesDurable(9L).durablePieces(map(20, 30)).build(), "one byte too few");
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.AES_256_GCM).header(GCM_NONCE)
                .bytesDownloaded(32).pieces(GAPS).bytesDurable(10L).durablePieces(map(20, 30)).build(),
                "the nonce is missing from the count");
        Download download = stored(CipherName.NONE).bytesDownloaded(20).pieces(GAPS).bytesDurable(10L)
                .durablePieces(map(20, 30)).build();
        assertEquals(map(20, 30), download.durablePieces());
        assertEquals(10, download.bytesDurable());
    }

    @Test
    void storedDurablePiecesMayHaveGapsWithinAWrittenPrefix() {
        Download download = stored(CipherName.NONE).bytesDownloaded(30).bytesDurable(10L).durablePieces(map(10, 20))
                .build();
        assertEquals(PieceMap.prefixOf(30), download.pieces());
        assertEquals(map(10, 20), download.durablePieces());
        assertThrows(IllegalArgumentException.class, () -> stored(CipherName.NONE).bytesDownloaded(30)
                .bytesDurable(10L).durablePieces(map(25, 35)).build(), "past the written prefix");
    }

    @Test
    void storedPiecesThatAreAPrefixAreKeptAsTheByteCountsAlone() {
        Download download = stored(CipherName.NONE).state(DownloadState.DOWNLOADING).bytesDownloaded(30)
                .pieces(PieceMap.prefixOf(30)).bytesDurable(10L).durablePieces(PieceMap.prefixOf(10)).build();
        assertEquals(PieceMap.prefixOf(30), download.pieces());
        assertEquals(PieceMap.prefixOf(10), download.durablePieces());
        download.recordProgress(40, 20, LATER);
        assertEquals(PieceMap.prefixOf(40), download.pieces(), "progress as bytes is allowed: no pieces are held");
        assertEquals(PieceMap.prefixOf(20), download.durablePieces());

        Download empty = stored(CipherName.NONE).state(DownloadState.DOWNLOADING).pieces(PieceMap.empty())
                .durablePieces(PieceMap.empty()).build();
        empty.recordProgress(5, 5, LATER);
        assertEquals(PieceMap.prefixOf(5), empty.pieces());
    }

    @Test
    void aSingleRangeThatDoesNotStartAtZeroIsNoPrefix() {
        Download download = stored(CipherName.NONE).state(DownloadState.DOWNLOADING).bytesDownloaded(10)
                .pieces(map(10, 20)).bytesDurable(0L).build();
        assertEquals(map(10, 20), download.pieces());
        assertThrows(IllegalStateException.class, () -> download.recordProgress(20, 0, LATER));
        assertEquals(10, download.bytesDownloaded());
    }

    // ---- the prefix methods meet the pieces ----

    @Test
    void progressAsBytesIsRefusedWhileThePartHoldsPieces() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 5), NOW);
        assertThrows(IllegalStateException.class, () -> download.recordProgress(30, LATER));
        assertThrows(IllegalStateException.class, () -> download.recordProgress(30, 5, LATER));
        assertThrows(IllegalStateException.class, () -> download.recordDurable(10, LATER));
        assertThrows(IllegalStateException.class, () -> download.recordDurable(5, LATER));
        assertUnchanged(download, GAPS, map(0, 5), 20, 5);
        assertEquals(NOW, download.updatedAt());
    }

    @Test
    void progressAsBytesIsRefusedWhileOnlyTheDurablePartHoldsPieces() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(PieceMap.prefixOf(30), map(10, 20), NOW);
        assertEquals(PieceMap.prefixOf(30), download.pieces());
        assertThrows(IllegalStateException.class, () -> download.recordProgress(40, LATER));
        assertThrows(IllegalStateException.class, () -> download.recordProgress(40, 10, LATER));
        assertThrows(IllegalStateException.class, () -> download.recordDurable(20, LATER));
        assertUnchanged(download, PieceMap.prefixOf(30), map(10, 20), 30, 10);
    }

    @Test
    void truncatingIsRefusedWhileThePartHoldsPieces() {
        Download download = paused(CipherName.NONE, GAPS, map(0, 5));
        assertThrows(IllegalStateException.class, () -> download.truncateTo(10, LATER));
        assertThrows(IllegalStateException.class, () -> download.truncateTo(0, LATER));
        assertUnchanged(download, GAPS, map(0, 5), 20, 5);
        assertEquals(Optional.of(ETAG), download.validator());
        assertEquals(NOW, download.updatedAt());
    }

    @Test
    void truncatingIsRefusedWhileOnlyTheDurablePartHoldsPieces() {
        Download download = paused(CipherName.NONE, PieceMap.prefixOf(30), map(10, 20));
        assertThrows(IllegalStateException.class, () -> download.truncateTo(15, LATER));
        assertUnchanged(download, PieceMap.prefixOf(30), map(10, 20), 30, 10);
    }

    @Test
    void truncatingStillWorksOnAPrefixRecordedAsPieces() {
        Download download = paused(CipherName.NONE, PieceMap.prefixOf(30), PieceMap.prefixOf(10));
        download.truncateTo(20, LATER);
        assertEquals(PieceMap.prefixOf(20), download.pieces());
        assertEquals(PieceMap.prefixOf(10), download.durablePieces());
    }

    @Test
    void aRestartFromZeroForgetsThePieces() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(GAPS, map(0, 5), NOW);
        download.restartFromZero("the remote object changed", LATER);
        assertEquals(PieceMap.empty(), download.pieces());
        assertEquals(PieceMap.empty(), download.durablePieces());
        assertEquals(0, download.bytesDownloaded());
        download.recordProgress(10, 10, LATER);
        assertEquals(PieceMap.prefixOf(10), download.pieces(), "progress as bytes works again");
        assertEquals(PieceMap.prefixOf(10), download.durablePieces());
    }

    @Test
    void adoptingAPartFileAsBytesForgetsThePieces() {
        Download download = paused(CipherName.NONE, GAPS, map(20, 30));
        download.adoptPartFile(10, 5, LATER);
        assertEquals(PieceMap.prefixOf(10), download.pieces());
        assertEquals(PieceMap.prefixOf(5), download.durablePieces());
        download.truncateTo(8, LATER);
        assertEquals(PieceMap.prefixOf(8), download.pieces(), "the prefix methods work again");
        assertEquals(PieceMap.prefixOf(5), download.durablePieces());
    }

    @Test
    void aMismatchThatRestartsFromZeroForgetsThePieces() {
        Download download = downloading(CipherName.NONE);
        download.recordPieces(PieceMap.prefixOf(90), map(0, 10, 50, 60), NOW);
        download.recordPieces(PieceMap.prefixOf(100), map(0, 10, 50, 60), NOW);
        download.moveTo(DownloadState.VERIFYING, NOW);
        assertTrue(download.verificationFailed(new Sha256("b".repeat(64)), 1, LATER));
        assertEquals(PieceMap.empty(), download.pieces());
        assertEquals(PieceMap.empty(), download.durablePieces());
        download.recordProgress(10, 10, LATER);
        assertEquals(10, download.bytesDurable());
    }

    // ---- helpers ----

    /** A map of the ranges {@code [bounds[0], bounds[1]), [bounds[2], bounds[3]), ...}. */
    private static PieceMap map(long... bounds) {
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            ranges.add(new Range(bounds[i], bounds[i + 1]));
        }
        return PieceMap.of(ranges);
    }

    private static Download downloading(CipherName cipher) {
        Download download = Download.create(new DownloadId("d"), new SourceUrl("https://cdn.example/a.bin"),
                new Sha256("a".repeat(64)), OptionalLong.of(100), cipher, "/o", "/p", NOW);
        download.startAttempt(NOW);
        return download;
    }

    /** A stored download of 100 expected bytes, in the builder's default state (pending), not yet built. */
    private static Download.Builder stored(CipherName cipher) {
        return Download.builder().id(new DownloadId("d")).url("https://cdn.example/a.bin")
                .expectedSha256(new Sha256("a".repeat(64))).expectedSize(OptionalLong.of(100)).cipher(cipher)
                .outputPath("/o").partPath("/p").createdAt(NOW);
    }

    /** Paused with the part ranges {@code written}, {@code durable} of them synced, a validator and the header. */
    private static Download paused(CipherName cipher, PieceMap written, PieceMap durable) {
        long header = cipher.headerBytes();
        return stored(cipher).state(DownloadState.PAUSED).validator(ETAG)
                .header(cipher == CipherName.AES_256_GCM ? GCM_NONCE : cipher == CipherName.NONE ? "" : CTR_IV)
                .bytesDownloaded(header + written.present()).pieces(written)
                .bytesDurable(header + durable.present()).durablePieces(durable).build();
    }

    private static void assertUnchanged(Download download, PieceMap written, PieceMap durable, long bytes,
                                        long durableBytes) {
        assertEquals(written, download.pieces());
        assertEquals(durable, download.durablePieces());
        assertEquals(bytes, download.bytesDownloaded());
        assertEquals(durableBytes, download.bytesDurable());
    }
}
