package dev.skyloader.application.fakes;

import dev.skyloader.application.contract.AbstractFileStoreTest;
import dev.skyloader.application.contract.AbstractStateStoreTest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.PieceMap;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fakes keep the same contracts as the real adapters, or the service tests would prove nothing. */
class InMemoryStoresContractTest {
    @Test
    void theStateStoreKeepsThePiecesOfAPartWithGaps() {
        PieceMap written = PieceMap.of(List.of(new PieceMap.Range(0, 100), new PieceMap.Range(200, 300)));
        PieceMap durable = PieceMap.of(List.of(new PieceMap.Range(0, 50), new PieceMap.Range(200, 250)));
        Instant now = Instant.parse("2026-03-04T05:06:07Z");
        Download download = Download.create(new DownloadId("gaps"), new SourceUrl("https://cdn.example/a.bin"),
                new Sha256("ab".repeat(32)), OptionalLong.of(1000), CipherName.NONE, "/data/a.bin", "/data/a.bin.part",
                now);
        download.startAttempt(now);
        download.recordPieces(written, durable, now);
        InMemoryStateStore store = new InMemoryStateStore();

        store.save(download);

        Download loaded = store.load(download.id()).orElseThrow();
        assertEquals(written, loaded.pieces());
        assertEquals(durable, loaded.durablePieces());
        assertEquals(200, loaded.bytesDownloaded());
        assertEquals(List.of(written), store.history().stream().map(Download::pieces).toList());
    }

    @Nested
    class StateStoreContract extends AbstractStateStoreTest {
        @Override
        protected StateStore createStore() {
            return new InMemoryStateStore();
        }
    }

    @Nested
    class FileStoreContract extends AbstractFileStoreTest {
        private InMemoryFileStore store;

        @Override
        protected FileStore createStore() {
            store = new InMemoryFileStore();
            return store;
        }

        @Override
        protected String path(String name) {
            return "/mem/" + name;
        }

        @Override
        protected byte[] read(String path) {
            return store.content(path);
        }

        @Override
        protected int countEntriesNextTo(String path) {
            String folder = path.substring(0, path.lastIndexOf('/') + 1);
            return (int) store.paths().stream()
                    .filter(p -> p.startsWith(folder) && p.indexOf('/', folder.length()) < 0).count();
        }
    }
}
