package dev.skyloader.application.port.in;

import java.io.IOException;
import java.util.List;

/** Every download known in the state directory, newest first. */
public interface ListDownloads {
    List<DownloadStatus> list() throws IOException;

    /**
     * Forgets what is done with: the records of complete downloads whose output is gone (and a part file no other
     * record names), or that a newer download of the same output replaced. Never a download a live process works
     * on, never one that is not complete.
     *
     * @return the records removed
     */
    List<DownloadStatus> prune() throws IOException;
}
