package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryStateStore;
import dev.skyloader.application.port.in.DownloadStatus;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.Sha256;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusServiceTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    private final InMemoryStateStore store = new InMemoryStateStore();

    private static Download download(String id, Instant updatedAt) {
        return Download.builder().id(new DownloadId(id)).url("https://cdn.example/" + id)
                .expectedSha256(new Sha256("cd".repeat(32))).outputPath("/data/" + id).partPath("/data/" + id + ".part")
                .createdAt(T0).updatedAt(updatedAt).build();
    }

    @Test
    void listsEveryDownloadMostRecentlyUpdatedFirstThenById() throws Exception {
        store.save(download("old", T0));
        store.save(download("new-b", T0.plusSeconds(60)));
        store.save(download("new-a", T0.plusSeconds(60)));
        store.save(download("middle", T0.plusSeconds(30)));

        List<String> ids = new StatusService(store).list().stream().map(DownloadStatus::id).toList();

        assertEquals(List.of("new-a", "new-b", "middle", "old"), ids);
    }
}
