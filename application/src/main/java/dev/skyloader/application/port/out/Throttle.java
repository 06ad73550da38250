package dev.skyloader.application.port.out;

/**
 * One budget of bytes per second for a whole run: every connection of every download spends from it
 * ({@code --limit-rate}). A Starlink terminal is metered and shared with the rest of the vehicle.
 */
public interface Throttle {
    /** No limit. */
    Throttle UNLIMITED = bytes -> {
    };

    /**
     * Spends {@code bytes} that were just received, waiting as long as the budget needs to stay within its rate on
     * average. Safe to call from several threads at once.
     */
    void spend(long bytes) throws InterruptedException;
}
