package dev.skyloader.application.port.in;

import java.io.IOException;

/** Cuts short every backoff wait of the downloads of a state directory, in this and other processes. */
public interface WakeDownloads {
    /**
     * @param woken   downloads a live process was waiting for: their next attempt starts now
     * @param noProcess records that wait for a next attempt no process will make: they start with the next run
     */
    record Woken(int woken, int noProcess) {
    }

    Woken wakeAll() throws IOException;
}
