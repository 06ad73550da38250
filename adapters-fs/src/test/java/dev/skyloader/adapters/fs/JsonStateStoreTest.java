package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.application.contract.AbstractStateStoreTest;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
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
        return new JsonStateStore(directory.resolve("state"));
    }

    @Test
    void writesTheSpecificationsSnakeCaseFields() throws Exception {
        store.save(sample("snake"));
        JsonNode json = new ObjectMapper().readTree(directory.resolve("state/snake.json").toFile());
        for (String field : List.of("schema_version", "url", "expected_sha256", "expected_size", "bytes_downloaded",
                "temp_file_path", "state", "attempts", "next_attempt_at", "last_error", "validator")) {
            assertTrue(json.has(field), "missing " + field + " in " + json);
        }
        assertEquals(1, json.get("schema_version").asInt());
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
        Files.writeString(file, Files.readString(file).replace("\"schema_version\" : 1", "\"schema_version\" : 9"));
        var e = assertThrows(java.io.IOException.class, () -> store.load(new DownloadId("new")));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
        assertTrue(Files.exists(file));
    }
}
