package dev.skyloader.application.port.out;

import java.time.Duration;

/** Waits. Injected so that tests run every backoff schedule on a virtual clock, without sleeping. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
}
