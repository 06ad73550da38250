package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.application.port.out.FileStore.StagedFile;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every FileStore must do. Each implementation's test extends this. */
public abstract class AbstractFileStoreTest {
    protected FileStore files;

    protected abstract FileStore createStore() throws Exception;

    /** An absolute path, in a folder that may not exist yet, that the store may write. */
    protected abstract String path(String name);

    protected abstract byte[] read(String path) throws Exception;

    @BeforeEach
    void setUpFiles() throws Exception {
        files = createStore();
    }

    @Test
    void aPartFileAppendsTruncatesAndReadsBack() throws Exception {
        String p = path("dir/a.part");
        try (PartFile part = files.openPart(p)) {
            assertEquals(0, part.size());
            part.append("hello world".getBytes(StandardCharsets.US_ASCII), 0, 11);
            part.sync();
            part.truncate(5);
            part.truncate(100);
            part.append("!xy".getBytes(StandardCharsets.US_ASCII), 0, 1);
            assertEquals(6, part.size());
            try (InputStream in = part.openReader()) {
                assertEquals("hello!", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        try (PartFile again = files.openPart(p)) {
            assertEquals(6, again.size(), "reopening keeps the bytes");
        }
    }

    @Test
    void aStagedFileAppearsOnlyWhenCommitted() throws Exception {
        String target = path("out/model.bin");
        try (StagedFile staged = files.stage(target)) {
            staged.output().write(new byte[]{1, 2, 3});
            assertFalse(files.exists(target));
            staged.commit();
        }
        assertArrayEquals(new byte[]{1, 2, 3}, read(target));
    }

    @Test
    void aStagedFileClosedWithoutCommitLeavesNothingAndKeepsTheOldOutput() throws Exception {
        String target = path("out/model.bin");
        try (StagedFile first = files.stage(target)) {
            first.output().write(new byte[]{9});
            first.commit();
        }
        try (StagedFile staged = files.stage(target)) {
            staged.output().write(new byte[]{1, 2, 3});
        }
        assertArrayEquals(new byte[]{9}, read(target));
        assertEquals(1, countEntriesNextTo(target));
    }

    @Test
    void moveIntoPlaceReplacesAndDeleteIsIdempotent() throws Exception {
        String from = path("m/x.part");
        String to = path("m/x");
        try (PartFile part = files.openPart(from)) {
            part.append(new byte[]{5, 6}, 0, 2);
        }
        files.moveIntoPlace(from, to);
        assertFalse(files.exists(from));
        assertArrayEquals(new byte[]{5, 6}, read(to));
        files.delete(to);
        files.delete(to);
        assertFalse(files.exists(to));
    }

    @Test
    void stagedFilesLeftBehindAreDeletedAndNothingElse() throws Exception {
        String target = path("left/x.part");
        try (PartFile part = files.openPart(target)) {
            part.append(new byte[]{1}, 0, 1);
        }
        // A process killed while it wrote a staged copy: never committed, never closed.
        StagedFile abandoned = files.stage(target);
        abandoned.output().write(new byte[]{2, 3});
        abandoned.output().flush();
        files.deleteStaged(target);
        assertArrayEquals(new byte[]{1}, read(target), "the file itself stays");
        assertEquals(1, countEntriesNextTo(target), "only the file itself is left");
        files.deleteStaged(path("nowhere/y"));
    }

    @Test
    void linkOrCopyPutsTheSameBytesInPlaceReplacingWhatWasThere() throws Exception {
        String from = path("l/a");
        String to = path("l/b");
        try (PartFile part = files.openPart(from)) {
            part.append(new byte[]{7, 8, 9}, 0, 3);
        }
        try (PartFile old = files.openPart(to)) {
            old.append(new byte[]{1}, 0, 1);
        }
        assertFalse(files.sameFile(from, to));
        files.linkOrCopy(from, to);
        assertArrayEquals(new byte[]{7, 8, 9}, read(to));
        assertArrayEquals(new byte[]{7, 8, 9}, read(from), "the source stays");
        assertEquals(2, countEntriesNextTo(from), "nothing temporary left beside them");
        files.linkOrCopy(from, to);
        assertArrayEquals(new byte[]{7, 8, 9}, read(to), "linking again changes nothing");
        assertEquals(2, countEntriesNextTo(from));
        assertFalse(files.sameFile(from, path("l/missing")));
        assertThrows(java.io.IOException.class, () -> files.linkOrCopy(path("l/missing"), path("l/c")));
        assertFalse(files.exists(path("l/c")));
    }

    @Test
    void theWholeFileSystemIsNoSmallerThanWhatIsFree() throws Exception {
        String anywhere = path("s/deeper/x");
        assertTrue(files.totalSpace(anywhere) >= files.usableSpace(anywhere));
        assertTrue(files.totalSpace(anywhere) > 0);
    }

    /** Files in the folder of {@code path}, temporary ones included; stores that cannot tell return 1. */
    protected int countEntriesNextTo(String path) throws Exception {
        return 1;
    }
}
