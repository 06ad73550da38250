package dev.skyloader.adapters.fs;

import dev.skyloader.application.contract.AbstractFileStoreTest;
import dev.skyloader.application.port.out.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

class LocalFileStoreTest extends AbstractFileStoreTest {
    @TempDir
    Path directory;

    @Override
    protected FileStore createStore() {
        return new LocalFileStore();
    }

    @Override
    protected String path(String name) {
        return directory.resolve(name).toString();
    }

    @Override
    protected byte[] read(String path) throws Exception {
        return Files.readAllBytes(Path.of(path));
    }

    @Override
    protected int countEntriesNextTo(String path) throws Exception {
        try (Stream<Path> entries = Files.list(Path.of(path).getParent())) {
            return (int) entries.count();
        }
    }

    @org.junit.jupiter.api.Test
    void aPartUnderAFileCannotBeWrittenAndSaysSoUnlikeAFullDisk() throws Exception {
        Files.writeString(directory.resolve("afile"), "in the way");
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.skyloader.application.port.out.FileStore.NotWritableException.class,
                () -> new LocalFileStore().openPart(directory.resolve("afile/x.part").toString()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("afile"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(LocalFileStore.notWritable(
                new java.io.FileNotFoundException("/d/x.part (Permission denied)")));
        org.junit.jupiter.api.Assertions.assertTrue(LocalFileStore.notWritable(
                new java.io.IOException("/d/x.part: Read-only file system")));
        org.junit.jupiter.api.Assertions.assertTrue(LocalFileStore.notWritable(
                new java.nio.file.AccessDeniedException("/d/x.part")));
        org.junit.jupiter.api.Assertions.assertFalse(LocalFileStore.notWritable(
                new java.io.IOException("No space left on device")));
        org.junit.jupiter.api.Assertions.assertFalse(LocalFileStore.notWritable(new java.io.IOException()));
    }
}
