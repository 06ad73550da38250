package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.contract.AbstractLocksTest;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.domain.DownloadId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLocksTest extends AbstractLocksTest {
    @TempDir
    Path dir;

    @Override
    protected Locks createLocks() {
        return new FileLocks(stateDirectory());
    }

    @Override
    protected boolean supportsCrossProcess() {
        return true;
    }

    @Override
    protected OtherProcess holdInAnotherProcess(DownloadId id) throws IOException {
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                stateDirectory().toString(), id.value()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        // Blocks until the child has tried: it answers only after tryLock returned.
        String answer = out.readLine();
        if (answer == null) {
            child.destroyForcibly();
            throw new IOException("the lock-holding process ended without an answer");
        }
        return new OtherProcess() {
            @Override
            public boolean holdsTheLock() {
                return answer.equals(LockHolder.HELD);
            }

            @Override
            public long pid() {
                return child.pid();
            }

            @Override
            public void close() throws InterruptedException {
                child.destroyForcibly();
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the lock-holding process did not die");
                }
            }
        };
    }

    private Path stateDirectory() {
        return dir.resolve("state");
    }

    @Test
    void theHolderOfALockHeldHereIsThisProcess() throws Exception {
        try (Locks.Lease lease = locks.tryLock(new DownloadId("abc")).orElseThrow()) {
            assertEquals(Optional.of(Long.toString(ProcessHandle.current().pid())), locks.holder(new DownloadId("abc")));
            assertNotNull(lease);
        }
    }

    /** Runs in a child JVM: takes a lock, says whether it got it, and keeps it until killed or its input closes. */
    static final class LockHolder {
        static final String HELD = "held";

        public static void main(String[] args) throws IOException {
            Optional<Locks.Lease> lease = new FileLocks(Path.of(args[0])).tryLock(new DownloadId(args[1]));
            System.out.println(lease.isPresent() ? HELD : "refused");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold on
            }
        }
    }
}
