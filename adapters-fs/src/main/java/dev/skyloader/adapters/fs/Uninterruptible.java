package dev.skyloader.adapters.fs;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * File work that an interrupt must not break. A thread is interrupted to stop a download (SIGTERM, a caller that
 * cancels), and a JDK file channel used by an interrupted thread closes itself and fails: the state document or the
 * directory sync that records the stop would be lost. Here the work runs with the interrupt held back and is done
 * again, whole, when an interrupt closed its channel midway; the interrupt is set again afterwards.
 */
final class Uninterruptible {
    private Uninterruptible() {
    }

    /** File work that opens what it uses and may be done again from the start. */
    interface Work<T> {
        T run() throws IOException;
    }

    static <T> T call(Work<T> work) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return work.run();
                } catch (ClosedByInterruptException e) {
                    interrupted = true;
                    Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
