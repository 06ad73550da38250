package dev.skyloader.application.port.in;

import java.io.IOException;

/** Cuts short every backoff wait of the downloads of a state directory, in this and other processes. */
public interface WakeDownloads {
    /** @return how many downloads were waiting for their next attempt */
    int wakeAll() throws IOException;
}
