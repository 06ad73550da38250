package dev.skyloader.application.fakes;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Records what a download told its listener, in order, with the id it named. */
public final class RecordingListener implements DownloadListener {
    public record Progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
    }

    public record Notice(DownloadId id, String message) {
    }

    public record Waiting(DownloadId id, Duration delay, String reason) {
    }

    private final List<Progress> progress = new ArrayList<>();
    private final List<Notice> notices = new ArrayList<>();
    private final List<Waiting> waits = new ArrayList<>();

    @Override
    public synchronized void progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
        progress.add(new Progress(id, state, bytes, total));
    }

    @Override
    public synchronized void notice(DownloadId id, String message) {
        notices.add(new Notice(id, message));
    }

    @Override
    public synchronized void waiting(DownloadId id, Duration delay, String reason) {
        waits.add(new Waiting(id, delay, reason));
    }

    public synchronized List<Progress> progress() {
        return List.copyOf(progress);
    }

    public synchronized List<Notice> notices() {
        return List.copyOf(notices);
    }

    /** The messages of every notice, in order. */
    public synchronized List<String> messages() {
        return notices.stream().map(Notice::message).toList();
    }

    public synchronized List<Waiting> waits() {
        return List.copyOf(waits);
    }
}
