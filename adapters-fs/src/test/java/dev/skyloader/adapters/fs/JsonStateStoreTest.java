package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.application.contract.AbstractStateStoreTest;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
                .partEncoding(PartEncoding.SERVED).placedSize(984L).build();
        store.save(d);
        Download back = store.load(d.id()).orElseThrow();
        assertEquals(900, back.bytesDownloaded());
        assertEquals(500, back.bytesDurable());
        assertEquals(java.util.Optional.of("boot-7"), back.bootId());
        assertEquals(java.util.Optional.of("00".repeat(16)), back.header());
        assertEquals(PartEncoding.SERVED, back.partEncoding());
        assertEquals(java.util.OptionalLong.of(984), back.placedSize());
    }
}
