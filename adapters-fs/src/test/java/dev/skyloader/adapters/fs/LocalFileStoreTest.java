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
}
