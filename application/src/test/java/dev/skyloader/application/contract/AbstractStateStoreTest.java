package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.Validator;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every StateStore must do. Each implementation's test extends this. */
public abstract class AbstractStateStoreTest {
    protected static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123Z");
    protected StateStore store;

    protected abstract StateStore createStore() throws Exception;

    @BeforeEach
    void setUpStore() throws Exception {
        store = createStore();
    }

    protected static Download sample(String id) {
        return Download.builder().id(new DownloadId(id)).url("https://cdn.example/models/" + id + ".enc")
                .expectedSha256(new Sha256("0123456789abcdef".repeat(4))).expectedSize(OptionalLong.of(524_288_028L))
                .cipher(CipherName.AES_256_GCM).outputPath("/data/" + id).partPath("/data/" + id + ".part")
                .createdAt(T0).updatedAt(T0.plusSeconds(90)).state(DownloadState.PAUSED)
                .bytesDownloaded(123_456_789L).attempts(3).restarts(1).nextAttemptAt(T0.plusSeconds(900))
                .lastError("connection reset at byte 123456789").validator(new Validator("\"9b2cf535f27731c974343645a3985328-4\"", "s3://models/" + id + ".enc"))
                .build();
    }

    @Test
    void aSavedDownloadLoadsBackFieldForField() throws Exception {
        Download saved = sample("abc");
        store.save(saved);
        Download loaded = store.load(saved.id()).orElseThrow();
        assertEquals(saved.toString(), loaded.toString());
        assertEquals(saved.url(), loaded.url());
        assertEquals(saved.expectedSha256(), loaded.expectedSha256());
        assertEquals(saved.expectedSize(), loaded.expectedSize());
        assertEquals(saved.cipher(), loaded.cipher());
        assertEquals(saved.outputPath(), loaded.outputPath());
        assertEquals(saved.partPath(), loaded.partPath());
        assertEquals(saved.state(), loaded.state());
        assertEquals(saved.bytesDownloaded(), loaded.bytesDownloaded());
        assertEquals(saved.attempts(), loaded.attempts());
        assertEquals(saved.restarts(), loaded.restarts());
        assertEquals(saved.nextAttemptAt(), loaded.nextAttemptAt());
        assertEquals(saved.lastError(), loaded.lastError());
        assertEquals(saved.validator(), loaded.validator());
        assertEquals(saved.createdAt(), loaded.createdAt());
        assertEquals(saved.updatedAt(), loaded.updatedAt());
    }

    @Test
    void aSizeThatIsNotKnownStaysUnknown() throws Exception {
        Download download = Download.builder().id(new DownloadId("nosize")).url("http://h/x")
                .expectedSha256(new Sha256("f".repeat(64))).outputPath("/o").partPath("/o.part").createdAt(T0).build();
        store.save(download);
        assertEquals(OptionalLong.empty(), store.load(download.id()).orElseThrow().expectedSize());
    }

    @Test
    void aSecondSaveReplacesTheFirst() throws Exception {
        Download download = sample("d");
        store.save(download);
        download.startAttempt(T0.plusSeconds(1000));
        download.recordProgress(200_000_000L, T0.plusSeconds(1001));
        store.save(download);
        Download loaded = store.load(download.id()).orElseThrow();
        assertEquals(200_000_000L, loaded.bytesDownloaded());
        assertEquals(DownloadState.DOWNLOADING, loaded.state());
    }

    @Test
    void anUnknownIdLoadsAsEmptyAndListsAndDeletesWork() throws Exception {
        assertTrue(store.load(new DownloadId("missing")).isEmpty());
        store.save(sample("one"));
        store.save(sample("two"));
        assertEquals(2, store.list().size());
        store.delete(new DownloadId("one"));
        assertTrue(store.load(new DownloadId("one")).isEmpty());
        assertEquals(1, store.list().size());
        store.delete(new DownloadId("never-there"));
    }
}
