package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.Sleeper;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * What every Sleeper must do. Each implementation's test extends this. No test here takes a fixed pause: a real
 * sleeper is only made to wait out {@link #shortWait()}, and a wake-up is awaited, not timed.
 */
public abstract class AbstractSleeperTest {
    /** Each call a new sleeper of one and the same scope (state directory): a wake-up from one reaches the others. */
    protected abstract Sleeper createSleeper() throws Exception;

    /**
     * Whether {@link Sleeper#sleep} blocks the calling thread in real time, so that another thread can wake it.
     * Virtual-time fakes return at once, having moved their clock, and say no.
     */
    protected boolean blocksWhileWaiting() {
        return true;
    }

    /** A wait short enough to sit out in a test; real sleepers are made to run it out, and so are timed by it. */
    protected Duration shortWait() {
        return Duration.ofMillis(30);
    }

    @Test
    void aWaitThatRunsOutReportsNoWakeUp() throws Exception {
        assertFalse(createSleeper().sleep(shortWait()));
    }

    @Test
    void aZeroWaitReturnsUnwoken() throws Exception {
        assertFalse(createSleeper().sleep(Duration.ZERO));
    }

    @Test
    void aWakeUpBeforeTheWaitBeganDoesNotEndIt() throws Exception {
        Sleeper sleeper = createSleeper();
        createSleeper().wakeAll();
        sleeper.wakeAll();
        assertFalse(sleeper.sleep(shortWait()), "only a wake-up during the wait ends it");
    }

    @Test
    @EnabledIf("blocksWhileWaiting")
    void aWakeUpFromAnotherSleeperOfTheScopeEndsAWaitEarly() throws Exception {
        Sleeper waiting = createSleeper();
        Sleeper waking = createSleeper();
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            try {
                return waiting.sleep(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        // The wait may not have begun yet when a wake-up is sent, and one sent before it began does not count:
        // wake again until it ends. Each round waits for the answer, not for a clock.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!woken.isDone()) {
            assertTrue(System.nanoTime() < deadline, "never woken");
            waking.wakeAll();
            try {
                woken.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // the sleeper had not started waiting, or has not looked yet: wake it again
            }
        }
        assertTrue(woken.get(), "woken, not run out: the wait was ten minutes");
    }
}
