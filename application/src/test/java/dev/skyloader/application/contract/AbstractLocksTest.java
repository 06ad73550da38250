package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.Locks.Lease;
import dev.skyloader.domain.DownloadId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** What every Locks must do. Each implementation's test extends this. */
public abstract class AbstractLocksTest {
    private static final DownloadId ID = new DownloadId("abc");

    protected Locks locks;

    protected abstract Locks createLocks() throws Exception;

    /**
     * Whether {@link #holdInAnotherProcess} can take a lock from another process. Locks that only ever live in one
     * process (fakes) say no, and skip the tests of what the kernel does for a dying process.
     */
    protected boolean supportsCrossProcess() {
        return false;
    }

    /**
     * Takes the lock of {@code id} in another process, over the same scope as {@link #locks}, and returns once it is
     * held (or refused). Closing the result kills that process without letting it clean up.
     */
    protected OtherProcess holdInAnotherProcess(DownloadId id) throws Exception {
        throw new UnsupportedOperationException("supportsCrossProcess() is false");
    }

    /** A process that tried to take a lock: whether it got it, and its process id. */
    public interface OtherProcess extends AutoCloseable {
        boolean holdsTheLock();

        long pid();

        /** Kills the process, as SIGKILL would, and returns once it is gone. */
        @Override
        void close() throws Exception;
    }

    @BeforeEach
    void setUpLocks() throws Exception {
        locks = createLocks();
    }

    @Test
    void aHeldLockIsRefusedUntilItsLeaseIsClosed() throws Exception {
        Lease first = locks.tryLock(ID).orElseThrow();
        assertTrue(locks.tryLock(ID).isEmpty(), "a second holder is refused");
        first.close();
        try (Lease again = locks.tryLock(ID).orElseThrow(() -> new AssertionError("free again once released"))) {
            assertNotNull(again);
        }
    }

    @Test
    void locksArePerDownload() throws Exception {
        try (Lease abc = locks.tryLock(ID).orElseThrow();
             Lease other = locks.tryLock(new DownloadId("other")).orElseThrow(
                     () -> new AssertionError("another download's lock is free"))) {
            assertNotNull(abc);
            assertNotNull(other);
        }
    }

    @Test
    void ofThreadsTryingAtOnceExactlyOneGetsTheLock() throws Exception {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Optional<Lease>>> tries = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Optional<Lease>> attempt = () -> {
                    start.await();
                    return locks.tryLock(ID);
                };
                tries.add(pool.submit(attempt));
            }
            start.countDown();
            List<Lease> granted = new ArrayList<>();
            for (Future<Optional<Lease>> attempt : tries) {
                attempt.get(30, TimeUnit.SECONDS).ifPresent(granted::add);
            }
            assertEquals(1, granted.size(), "leases granted");
            granted.get(0).close();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @EnabledIf("supportsCrossProcess")
    void aLockHeldByAnotherProcessIsRefusedAndNamesThatProcess() throws Exception {
        try (OtherProcess other = holdInAnotherProcess(ID)) {
            assertTrue(other.holdsTheLock(), "the other process got the free lock");
            assertTrue(locks.tryLock(ID).isEmpty(), "refused while the other process holds it");
            locks.holder(ID).ifPresent(holder -> assertEquals(Long.toString(other.pid()), holder));
        }
    }

    @Test
    @EnabledIf("supportsCrossProcess")
    void aProcessThatDiesReleasesItsLock() throws Exception {
        OtherProcess other = holdInAnotherProcess(ID);
        assertTrue(other.holdsTheLock());
        other.close();
        try (Lease lease = locks.tryLock(ID).orElseThrow(() -> new AssertionError("released by the dead process"))) {
            assertNotNull(lease);
        }
    }

    @Test
    @EnabledIf("supportsCrossProcess")
    void aLockHeldHereIsRefusedToAnotherProcess() throws Exception {
        try (Lease held = locks.tryLock(ID).orElseThrow(); OtherProcess other = holdInAnotherProcess(ID)) {
            assertFalse(other.holdsTheLock());
            assertNotNull(held);
        }
    }

    /** POSIX record locks belong to the process: a careless second look at the lock file lets go of them. */
    @Test
    @EnabledIf("supportsCrossProcess")
    void aRefusedTryOrAskingTheHolderHereDoesNotLetAnotherProcessIn() throws Exception {
        try (Lease held = locks.tryLock(ID).orElseThrow()) {
            assertTrue(locks.tryLock(ID).isEmpty());
            // Asked for what it may do to the lock, not for its answer (which may be empty).
            locks.holder(ID);
            try (OtherProcess other = holdInAnotherProcess(ID)) {
                assertFalse(other.holdsTheLock(), "still held here");
            }
            assertNotNull(held);
        }
    }

    @Test
    void aLockIsHeldWhileItsLeaseIsOpenAndNotAfter() throws Exception {
        assertFalse(locks.held(ID), "never taken");
        try (Lease lease = locks.tryLock(ID).orElseThrow()) {
            assertTrue(locks.held(ID));
            assertFalse(locks.held(new DownloadId("other")));
            assertNotNull(lease);
        }
        assertFalse(locks.held(ID), "released");
        try (Lease again = locks.tryLock(ID).orElseThrow(() -> new AssertionError("asking took nothing"))) {
            assertNotNull(again);
        }
    }

    @Test
    @EnabledIf("supportsCrossProcess")
    void aLockOfAnotherProcessIsHeldUntilThatProcessDies() throws Exception {
        OtherProcess other = holdInAnotherProcess(ID);
        assertTrue(other.holdsTheLock());
        assertTrue(locks.held(ID), "held by a live process");
        other.close();
        assertFalse(locks.held(ID), "its process was killed: nobody holds it, though its id is still written");
    }
}
