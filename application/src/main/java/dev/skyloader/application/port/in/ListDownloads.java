package dev.skyloader.application.port.in;

import java.io.IOException;
import java.util.List;

/** Every download known in the state directory, newest first. */
public interface ListDownloads {
    List<DownloadStatus> list() throws IOException;
}
