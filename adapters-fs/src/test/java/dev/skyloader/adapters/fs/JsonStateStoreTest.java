package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloader.application.contract.AbstractStateStoreTest;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.PieceMap.Range;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonStateStoreTest extends AbstractStateStoreTest {
    @TempDir
    Path directory;

    @Override
    protected StateStore createStore() {
        return new JsonStateStore(directory.resolve("state"), java.time.Clock.systemUTC());
    }

    @Test
    void writesTheSpecificationsSnakeCaseFields() throws Exception {
        store.save(sample("snake"));
        JsonNode json = new ObjectMapper().readTree(directory.resolve("state/snake.json").toFile());
        for (String field : List.of("schema_version", "url", "expected_sha256", "expected_size", "bytes_downloaded",
                "temp_file_path", "state", "attempts", "next_attempt_at", "last_error", "validator")) {
            assertTrue(json.has(field), "missing " + field + " in " + json);
        }
        assertEquals(2, json.get("schema_version").asInt());
        for (String field : List.of("bytes_durable", "part_encoding")) {
            assertTrue(json.has(field), "missing " + field + " in " + json);
        }
        assertEquals("paused", json.get("state").asText());
        assertEquals(123_456_789L, json.get("bytes_downloaded").asLong());
    }

    @Test
    void leavesNoTemporaryFileBehind() throws Exception {
        store.save(sample("a"));
        store.save(sample("a"));
        try (Stream<Path> entries = Files.list(directory.resolve("state"))) {
            assertEquals(List.of("a.json"), entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aDocumentCutInHalfIsMovedAsideAndTheDownloadStartsOver() throws Exception {
        Download download = sample("cut");
        store.save(download);
        Path file = directory.resolve("state/cut.json");
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));

        assertTrue(store.load(download.id()).isEmpty());
        assertFalse(Files.exists(file));
        try (Stream<Path> entries = Files.list(directory.resolve("state"))) {
            assertTrue(entries.anyMatch(p -> p.getFileName().toString().startsWith("cut.json.corrupt-")));
        }
        store.save(download);
        assertTrue(store.load(download.id()).isPresent(), "the store works again after quarantine");
    }

    @Test
    void aDocumentWithInvalidValuesIsMovedAsideToo() throws Exception {
        Files.createDirectories(directory.resolve("state"));
        Files.writeString(directory.resolve("state/bad.json"),
                "{\"schema_version\":1,\"id\":\"bad\",\"expected_sha256\":\"xyz\",\"state\":\"done\"}");
        Files.writeString(directory.resolve("state/empty.json"), "");
        assertTrue(store.load(new DownloadId("bad")).isEmpty());
        assertTrue(store.load(new DownloadId("empty")).isEmpty());
        assertEquals(List.of(), store.list());
    }

    @Test
    void aDocumentFromANewerVersionIsRefusedButKept() throws Exception {
        store.save(sample("new"));
        Path file = directory.resolve("state/new.json");
        Files.writeString(file, Files.readString(file).replace("\"schema_version\" : 2", "\"schema_version\" : 9"));
        var e = assertThrows(java.io.IOException.class, () -> store.load(new DownloadId("new")));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
        assertTrue(Files.exists(file));
    }

    /** Written by the release before the one-pass data path (schema 1), for a GCM download killed half way. */
    private static final String SCHEMA_1 = """
            {
              "schema_version" : 1,
              "id" : "old",
              "url" : "https://cdn.example/model.bin",
              "expected_sha256" : "%s",
              "expected_size" : 1000028,
              "bytes_downloaded" : 400000,
              "temp_file_path" : "/data/model.bin.part",
              "output_path" : "/data/model.bin",
              "cipher" : "%s",
              "state" : "downloading",
              "attempts" : 0,
              "restarts" : 0,
              "validator" : "\\"v1\\"",
              "validator_source" : "https://cdn.example/model.bin",
              "created_at" : "2026-06-01T12:00:00Z",
              "updated_at" : "2026-06-01T12:05:00Z"
            }
            """;

    @Test
    void aSchemaOneDocumentOfAnEncryptedDownloadLoadsAsAServedPartWhoseBytesAreAllDurable() throws Exception {
        Files.createDirectories(directory.resolve("state"));
        Files.writeString(directory.resolve("state/old.json"), SCHEMA_1.formatted("ab".repeat(32), "aes-256-gcm"));
        Download old = store.load(new DownloadId("old")).orElseThrow();
        assertEquals(PartEncoding.SERVED, old.partEncoding());
        assertEquals(400_000, old.bytesDownloaded());
        assertEquals(400_000, old.bytesDurable(), "schema 1 synced what it claimed");
        assertTrue(old.bootId().isEmpty());
        assertTrue(old.header().isEmpty());
        assertEquals(java.util.Optional.of(new dev.skyloader.domain.Validator("\"v1\"", "https://cdn.example/model.bin")),
                old.validator());
    }

    @Test
    void aSchemaOneDocumentOfAPlainDownloadNeedsNoConversion() throws Exception {
        Files.createDirectories(directory.resolve("state"));
        Files.writeString(directory.resolve("state/old.json"), SCHEMA_1.formatted("ab".repeat(32), "none"));
        assertEquals(PartEncoding.PLAIN, store.load(new DownloadId("old")).orElseThrow().partEncoding());
    }

    @Test
    void theMarksTheBootTheHeaderAndThePlacedSizeSurviveARoundTrip() throws Exception {
        Download d = Download.builder().id(new DownloadId("marks")).url("https://cdn.example/m")
                .expectedSha256(new Sha256("cd".repeat(32))).expectedSize(java.util.OptionalLong.of(1_000))
                .cipher(CipherName.AES_256_CTR).outputPath("/o").partPath("/o.part")
                .createdAt(java.time.Instant.parse("2026-06-01T12:00:00Z")).state(DownloadState.DECRYPTING)
                .bytesDownloaded(900).bytesDurable(500L).bootId("boot-7").header("00".repeat(16))
                .partEncoding(PartEncoding.SERVED).placedSize(984L).reportedSize(1_000L).bytesReused(700L)
                .mismatchedSha256(new Sha256("ab".repeat(32))).build();
        store.save(d);
        Download back = store.load(d.id()).orElseThrow();
        assertEquals(java.util.OptionalLong.of(1_000), back.reportedSize());
        assertEquals(java.util.OptionalLong.of(700), back.bytesReused());
        assertEquals(java.util.Optional.of(new Sha256("ab".repeat(32))), back.mismatchedSha256());
        assertEquals(900, back.bytesDownloaded());
        assertEquals(500, back.bytesDurable());
        assertEquals(java.util.Optional.of("boot-7"), back.bootId());
        assertEquals(java.util.Optional.of("00".repeat(16)), back.header());
        assertEquals(PartEncoding.SERVED, back.partEncoding());
        assertEquals(java.util.OptionalLong.of(984), back.placedSize());
    }

    private static final PieceMap GAPS = PieceMap.of(List.of(new Range(0, 10), new Range(20, 30)));

    /** A paused GCM download whose part holds {@code written}, {@code durable} of them synced. */
    private static Download withPieces(String id, PieceMap written, PieceMap durable) {
        return Download.builder().id(new DownloadId(id)).url("https://cdn.example/" + id)
                .expectedSha256(new Sha256("cd".repeat(32))).expectedSize(java.util.OptionalLong.of(1_000))
                .cipher(CipherName.AES_256_GCM).outputPath("/o/" + id).partPath("/o/" + id + ".part")
                .createdAt(java.time.Instant.parse("2026-06-01T12:00:00Z"))
                .updatedAt(java.time.Instant.parse("2026-06-01T12:01:00Z")).state(DownloadState.PAUSED)
                .header("0123456789abcdef01234567").validator(new Validator("\"v\"", "https://cdn.example/" + id))
                .bootId("boot-3").bytesDownloaded(12 + written.present()).pieces(written)
                .bytesDurable(12 + durable.present()).durablePieces(durable).build();
    }

    private JsonNode document(String id) throws Exception {
        return new ObjectMapper().readTree(directory.resolve("state/" + id + ".json").toFile());
    }

    private static void assertSameDownload(Download expected, Download actual) {
        assertEquals(expected.id(), actual.id());
        assertEquals(expected.url(), actual.url());
        assertEquals(expected.expectedSha256(), actual.expectedSha256());
        assertEquals(expected.expectedSize(), actual.expectedSize());
        assertEquals(expected.cipher(), actual.cipher());
        assertEquals(expected.outputPath(), actual.outputPath());
        assertEquals(expected.partPath(), actual.partPath());
        assertEquals(expected.state(), actual.state());
        assertEquals(expected.bytesDownloaded(), actual.bytesDownloaded());
        assertEquals(expected.bytesDurable(), actual.bytesDurable());
        assertEquals(expected.pieces(), actual.pieces());
        assertEquals(expected.durablePieces(), actual.durablePieces());
        assertEquals(expected.attempts(), actual.attempts());
        assertEquals(expected.restarts(), actual.restarts());
        assertEquals(expected.nextAttemptAt(), actual.nextAttemptAt());
        assertEquals(expected.lastError(), actual.lastError());
        assertEquals(expected.validator(), actual.validator());
        assertEquals(expected.createdAt(), actual.createdAt());
        assertEquals(expected.updatedAt(), actual.updatedAt());
        assertEquals(expected.bootId(), actual.bootId());
        assertEquals(expected.header(), actual.header());
        assertEquals(expected.partEncoding(), actual.partEncoding());
        assertEquals(expected.placedSize(), actual.placedSize());
        assertEquals(expected.reportedSize(), actual.reportedSize());
        assertEquals(expected.mismatchedSha256(), actual.mismatchedSha256());
    }

    private void assertSetAside(String id) throws Exception {
        assertTrue(store.load(new DownloadId(id)).isEmpty(), id + " loads as nothing");
        assertFalse(Files.exists(directory.resolve("state/" + id + ".json")), id + " is no longer in place");
        try (Stream<Path> entries = Files.list(directory.resolve("state"))) {
            assertTrue(entries.anyMatch(p -> p.getFileName().toString().startsWith(id + ".json.corrupt-")),
                    id + " is kept aside");
        }
    }

    /** Saves a download with gaps as {@code id}, then replaces {@code field} in its document with {@code json}. */
    private void saveWithField(String id, String field, String json) throws Exception {
        store.save(withPieces(id, GAPS, PieceMap.of(List.of(new Range(20, 25)))));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode document = (ObjectNode) document(id);
        document.set(field, mapper.readTree(json));
        Files.write(directory.resolve("state/" + id + ".json"), mapper.writeValueAsBytes(document));
    }

    @Test
    void piecesWithGapsSurviveARoundTripAndAreWrittenAsPairs() throws Exception {
        PieceMap durable = PieceMap.of(List.of(new Range(20, 25)));
        Download saved = withPieces("gaps", GAPS, durable);
        store.save(saved);
        Download back = store.load(saved.id()).orElseThrow();
        assertEquals(GAPS, back.pieces());
        assertEquals(durable, back.durablePieces());
        assertEquals(32, back.bytesDownloaded());
        assertEquals(17, back.bytesDurable());
        assertSameDownload(saved, back);

        JsonNode json = document("gaps");
        assertEquals(new ObjectMapper().readTree("[[0, 10], [20, 30]]"), json.get("pieces"));
        assertEquals(new ObjectMapper().readTree("[[20, 25]]"), json.get("durable_pieces"));
    }

    @Test
    void aPartOfSeveralConnectionsWritesBothMarksAsRangesEvenWhenOneIsAPrefix() throws Exception {
        Download writtenGaps = withPieces("written", GAPS, PieceMap.prefixOf(10));
        store.save(writtenGaps);
        JsonNode json = document("written");
        assertEquals(new ObjectMapper().readTree("[[0, 10], [20, 30]]"), json.get("pieces"));
        assertEquals(new ObjectMapper().readTree("[[0, 10]]"), json.get("durable_pieces"),
                "a part that may have gaps names its ranges: after a crash only they count");
        assertEquals(22, json.get("bytes_durable").asLong());
        Download back = store.load(writtenGaps.id()).orElseThrow();
        assertSameDownload(writtenGaps, back);
        assertTrue(back.piecewise());

        PieceMap durableGaps = PieceMap.of(List.of(new Range(10, 20)));
        Download durable = withPieces("durable", PieceMap.prefixOf(30), durableGaps);
        store.save(durable);
        json = document("durable");
        assertEquals(new ObjectMapper().readTree("[[0, 30]]"), json.get("pieces"));
        assertEquals(new ObjectMapper().readTree("[[10, 20]]"), json.get("durable_pieces"));
        back = store.load(durable.id()).orElseThrow();
        assertEquals(PieceMap.prefixOf(30), back.pieces());
        assertEquals(durableGaps, back.durablePieces());
        assertSameDownload(durable, back);
    }

    @Test
    void aDownloadOverOneConnectionWritesNoRanges() throws Exception {
        store.save(sample("prefix"));
        JsonNode json = document("prefix");
        assertFalse(json.has("pieces"), json.toString());
        assertFalse(json.has("durable_pieces"), json.toString());

        assertFalse(store.load(sample("prefix").id()).orElseThrow().piecewise());
    }

    @Test
    void malformedPiecesSetTheDocumentAside() throws Exception {
        saveWithField("triple", "pieces", "[[0, 10, 20]]");
        saveWithField("single", "pieces", "[[0]]");
        saveWithField("flat", "pieces", "[0, 10]");
        saveWithField("text", "pieces", "\"0-10\"");
        saveWithField("backwards", "pieces", "[[10, 0], [20, 30]]");
        saveWithField("negative", "pieces", "[[-1, 9], [20, 30]]");
        saveWithField("hole", "pieces", "[[0, null], [20, 30]]");
        saveWithField("nulls", "pieces", "[null]");
        saveWithField("sum", "pieces", "[[0, 10], [20, 31]]");
        saveWithField("outside", "durable_pieces", "[[10, 15]]");
        saveWithField("durable-backwards", "durable_pieces", "[[25, 20]]");
        for (String id : List.of("triple", "single", "flat", "text", "backwards", "negative", "hole", "nulls", "sum",
                "outside", "durable-backwards")) {
            assertSetAside(id);
        }
        assertEquals(List.of(), store.list());
    }

    @Test
    void theDocumentIsWrittenFieldByFieldInTheSpecificationsOrderIndentedWithoutAbsentFields() throws Exception {
        store.save(withPieces("golden", GAPS, PieceMap.of(List.of(new Range(20, 25)))));
        assertEquals(GOLDEN, Files.readString(directory.resolve("state/golden.json")));
    }

    /** As Jackson's data binding wrote it before (checked byte for byte), and as operators have seen it. */
    private static final String GOLDEN = """
            {
              "schema_version" : 2,
              "id" : "golden",
              "url" : "https://cdn.example/golden",
              "expected_sha256" : "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
              "expected_size" : 1000,
              "bytes_downloaded" : 32,
              "bytes_durable" : 17,
              "boot_id" : "boot-3",
              "temp_file_path" : "/o/golden.part",
              "part_encoding" : "plain",
              "header" : "0123456789abcdef01234567",
              "pieces" : [ [ 0, 10 ], [ 20, 30 ] ],
              "durable_pieces" : [ [ 20, 25 ] ],
              "output_path" : "/o/golden",
              "cipher" : "aes-256-gcm",
              "state" : "paused",
              "attempts" : 0,
              "restarts" : 0,
              "validator" : "\\"v\\"",
              "validator_source" : "https://cdn.example/golden",
              "created_at" : "2026-06-01T12:00:00Z",
              "updated_at" : "2026-06-01T12:01:00Z"
            }""";

    @Test
    void numbersAsStringsWithAFractionOrNullAndUnknownFieldsOfAnyShapeLoadAsDataBindingReadThem() throws Exception {
        saveWithField("quoted", "attempts", "\"7\"");
        assertEquals(7, store.load(new DownloadId("quoted")).orElseThrow().attempts());
        saveWithField("fraction", "restarts", "2.9");
        assertEquals(2, store.load(new DownloadId("fraction")).orElseThrow().restarts());
        saveWithField("null", "attempts", "null");
        assertEquals(0, store.load(new DownloadId("null")).orElseThrow().attempts());
        saveWithField("empty", "attempts", "\"\"");
        assertEquals(0, store.load(new DownloadId("empty")).orElseThrow().attempts());
        saveWithField("size", "expected_size", "\"100\"");
        assertEquals(OptionalLong.of(100), store.load(new DownloadId("size")).orElseThrow().expectedSize());
        saveWithField("error", "last_error", "42");
        assertEquals(Optional.of("42"), store.load(new DownloadId("error")).orElseThrow().lastError());
        saveWithField("future", "added_later", "{\"a\": [1, {\"b\": [2, 3]}], \"c\": null}");
        assertEquals(2, store.load(new DownloadId("future")).orElseThrow().pieces().ranges().size(),
                "an unknown object is skipped whole, and the fields after it still read");
    }

    @Test
    void aFieldOfTheWrongShapeOrOutOfRangeSetsTheDocumentAside() throws Exception {
        saveWithField("object", "last_error", "{\"a\": 1}");
        saveWithField("array", "last_error", "[\"a\"]");
        saveWithField("boolean", "attempts", "true");
        saveWithField("word", "attempts", "\"seven\"");
        saveWithField("huge", "attempts", "99999999999");
        saveWithField("huge-fraction", "attempts", "1e20");
        saveWithField("object-size", "expected_size", "{}");
        for (String id : List.of("object", "array", "boolean", "word", "huge", "huge-fraction", "object-size")) {
            assertSetAside(id);
        }
    }

    @Test
    void anythingButOneJsonObjectSetsTheDocumentAsideWhileTextAfterAWholeObjectIsIgnored() throws Exception {
        store.save(sample("whole"));
        Path whole = directory.resolve("state/whole.json");
        String text = Files.readString(whole);
        Files.writeString(whole, text + " and then some");
        assertEquals(3, store.load(new DownloadId("whole")).orElseThrow().attempts());
        String cut = text.substring(0, text.length() - 2);
        for (String content : List.of("", "   ", "[]", "null", "42", "\"text\"", cut)) {
            Files.writeString(whole, content);
            assertSetAside("whole");
            try (Stream<Path> entries = Files.list(directory.resolve("state"))) {
                for (Path aside : entries.toList()) {
                    Files.delete(aside);
                }
            }
        }
    }

    @Test
    void theSameDocumentWithWellFormedPiecesLoads() throws Exception {
        saveWithField("fine", "pieces", "[[20, 30], [0, 10]]");
        Download back = store.load(new DownloadId("fine")).orElseThrow();
        assertEquals(GAPS, back.pieces(), "stored ranges may come in any order");
        assertTrue(Files.exists(directory.resolve("state/fine.json")));
    }

    @Test
    void anUnsyncedSaveLoadsBackFieldForField() throws Exception {
        Download saved = withPieces("unsynced", GAPS, PieceMap.of(List.of(new Range(0, 5))));
        store.saveUnsynced(saved);
        assertSameDownload(saved, store.load(saved.id()).orElseThrow());
        byte[] unsynced = Files.readAllBytes(directory.resolve("state/unsynced.json.live"));
        assertFalse(Files.exists(directory.resolve("state/unsynced.json")), "the document is only saved durably");
        store.save(saved);
        assertArrayEquals(Files.readAllBytes(directory.resolve("state/unsynced.json")), unsynced,
                "the same document as a synced save");
        assertFalse(Files.exists(directory.resolve("state/unsynced.json.live")), "a durable save removes the copy");
    }

    @Test
    void aNewerLiveCopyIsLoadedAndLeavesTheDocumentAsItWas() throws Exception {
        Download download = withPieces("later", GAPS, PieceMap.empty());
        store.save(download);
        byte[] durable = Files.readAllBytes(directory.resolve("state/later.json"));
        download.startAttempt(java.time.Instant.parse("2026-06-01T12:02:00Z"));
        PieceMap more = PieceMap.of(List.of(new Range(0, 10), new Range(20, 40)));
        download.recordPieces(more, GAPS, java.time.Instant.parse("2026-06-01T12:03:00Z"));
        store.saveUnsynced(download);
        Download back = store.load(download.id()).orElseThrow();
        assertEquals(more, back.pieces());
        assertEquals(GAPS, back.durablePieces());
        assertEquals(DownloadState.DOWNLOADING, back.state());
        assertSameDownload(download, back);
        assertArrayEquals(durable, Files.readAllBytes(directory.resolve("state/later.json")),
                "the document is never replaced without an fsync");
        try (Stream<Path> entries = Files.list(directory.resolve("state"))) {
            assertEquals(List.of("later.json", "later.json.live"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file");
        }
        assertEquals(1, store.list().size(), "the copy is no download of its own");
    }

    @Test
    void aLiveCopyThatIsOlderEmptyOrDamagedIsIgnored() throws Exception {
        Download download = withPieces("later", GAPS, PieceMap.empty());
        store.saveUnsynced(download);
        download.startAttempt(java.time.Instant.parse("2026-06-01T12:05:00Z"));
        store.save(download);
        // A removal lost in a power loss: the older copy is back.
        Files.write(directory.resolve("state/later.json.live"),
                Files.readAllBytes(directory.resolve("state/later.json")).length == 0 ? new byte[1] : olderCopy());
        assertEquals(DownloadState.DOWNLOADING, store.load(download.id()).orElseThrow().state(), "the document");
        Files.write(directory.resolve("state/later.json.live"), new byte[0]);
        assertEquals(DownloadState.DOWNLOADING, store.load(download.id()).orElseThrow().state());
        Files.writeString(directory.resolve("state/later.json.live"), "{\"schema_version\": 2, \"id\"");
        assertEquals(DownloadState.DOWNLOADING, store.load(download.id()).orElseThrow().state());
        assertTrue(Files.exists(directory.resolve("state/later.json")), "the document is not set aside");
    }

    private byte[] olderCopy() throws Exception {
        Download older = withPieces("later", GAPS, PieceMap.empty());
        JsonStateStore scratch = new JsonStateStore(directory.resolve("scratch"), java.time.Clock.systemUTC());
        scratch.saveUnsynced(older);
        return Files.readAllBytes(directory.resolve("scratch/later.json.live"));
    }
}
