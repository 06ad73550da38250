package dev.skyloader.application.port.out;

import java.time.Duration;

/**
 * Waits, and can be woken: {@code skyloader kick} wakes every download of a state directory that is waiting out a
 * backoff. Injected, so that tests run every schedule on a virtual clock without sleeping.
 */
public interface Sleeper {
    /**
     * Waits up to {@code duration}.
     *
     * @return true when woken early by {@link #wakeAll()} (from this or another process), false when the time ran out
     */
    boolean sleep(Duration duration) throws InterruptedException;

    /**
     * Waits until {@code deadline} on {@code clock}, or not at all when it has passed: for waits that several threads
     * compute from one shared moment (a rate budget), so that time another thread spent waiting is not waited again.
     *
     * @return true when woken early by {@link #wakeAll()}, false when the deadline came
     */
    default boolean sleepUntil(java.time.Clock clock, java.time.Instant deadline) throws InterruptedException {
        Duration left = Duration.between(clock.instant(), deadline);
        return !left.isNegative() && !left.isZero() && sleep(left);
    }

    /** Wakes every sleeper that shares this one's scope (the state directory). */
    void wakeAll() throws java.io.IOException;
}
