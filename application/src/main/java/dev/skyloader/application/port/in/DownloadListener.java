package dev.skyloader.application.port.in;

import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Observes one download. Called on the downloading thread, often (after every read): implementations keep it cheap.
 * Reported byte counts never go down, except after a restart from byte 0, which is announced by {@link #notice}.
 */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {
    };

    default void progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
    }

    /** Something an operator should know: a restart, a resumed transfer, a stale part file. */
    default void notice(DownloadId id, String message) {
    }

    /**
     * A delta update found {@code reused} of the artifact's {@code total} plaintext bytes in local seeds, in
     * {@code took}; {@code message} says so for people.
     */
    default void delta(DownloadId id, long reused, long total, Duration took, String message) {
        notice(id, message);
    }

    /** The download waits {@code delay} before its next attempt, because of {@code reason}. */
    default void waiting(DownloadId id, Duration delay, String reason) {
    }
}
