package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.Locks;
import dev.skyloader.domain.DownloadId;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLocksTest {
    @TempDir
    Path dir;

    @Test
    void aHeldLockIsRefusedUntilReleasedAndNamesItsHolder() throws Exception {
        FileLocks locks = new FileLocks(dir.resolve("state"));
        DownloadId id = new DownloadId("abc");
        Optional<Locks.Lease> first = locks.tryLock(id);
        assertTrue(first.isPresent());
        assertTrue(locks.tryLock(id).isEmpty(), "a second holder is refused");
        assertEquals(Optional.of(Long.toString(ProcessHandle.current().pid())), locks.holder(id));
        assertTrue(locks.tryLock(new DownloadId("other")).isPresent(), "locks are per download");
        first.get().close();
        try (Locks.Lease again = locks.tryLock(id).orElseThrow()) {
            assertNotNull(again);
        }
    }
}
