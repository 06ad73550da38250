package dev.skyloader.application.fakes;

import dev.skyloader.application.contract.AbstractFileStoreTest;
import dev.skyloader.application.contract.AbstractStateStoreTest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.StateStore;
import org.junit.jupiter.api.Nested;

/** The fakes keep the same contracts as the real adapters, or the service tests would prove nothing. */
class InMemoryStoresContractTest {
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
