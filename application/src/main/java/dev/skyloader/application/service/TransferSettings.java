package dev.skyloader.application.service;

import java.time.Duration;
import java.util.List;
import static java.util.Objects.requireNonNull;

/**
 * How the transfer loop behaves, independent of any one download.
 *
 * @param checkpointBytes    the background syncer makes the part file durable, and the state says so, at least
 *                           every this many bytes: the most a power loss can cost in bytes fetched again (a
 *                           {@code kill -9} costs only what was in flight: the page cache keeps the rest)
 * @param checkpointInterval ... and at least this often while bytes flow (keeps {@code status} fresh on slow links)
 * @param bufferSize         bytes read from the source per call
 * @param reconnectDelays    the quick tier: after a failure that moved no byte, wait these in turn before each
 *                           reconnect; when they run out the attempt has failed and the long schedule applies.
 *                           A connection that delivered bytes before it dropped is resumed at once.
 * @param freeSpaceMargin    bytes to leave free on the disk beyond what the download needs
 * @param probeInterval      while waiting out a backoff, ask the source this often whether it answers again, and
 *                           start the next attempt as soon as it does; zero: never
 * @param limitRate          bytes per second for the whole run, every connection and download together
 *                           ({@code --limit-rate}); zero: no limit
 * @param pieceSize          with several connections, the size of the pieces an artifact is cut into (a multiple of
 *                           16, so that every piece decrypts on arrival); the last ones may be split smaller
 */
public record TransferSettings(long checkpointBytes, Duration checkpointInterval, int bufferSize,
                               List<Duration> reconnectDelays, long freeSpaceMargin, Duration probeInterval,
                               long limitRate, long pieceSize) {
    /** 8 MiB, as the AWS SDK's transfer manager: large enough that a request's latency is small next to it. */
    public static final long PIECE_SIZE = 8L << 20;

    public static final TransferSettings DEFAULT = new TransferSettings(16L << 20, Duration.ofSeconds(5), 256 << 10,
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                    Duration.ofSeconds(15)), 64L << 20, Duration.ofSeconds(30), 0, PIECE_SIZE);

    /** With the default piece size. */
    public TransferSettings(long checkpointBytes, Duration checkpointInterval, int bufferSize,
                            List<Duration> reconnectDelays, long freeSpaceMargin, Duration probeInterval,
                            long limitRate) {
        this(checkpointBytes, checkpointInterval, bufferSize, reconnectDelays, freeSpaceMargin, probeInterval,
                limitRate, PIECE_SIZE);
    }

    public TransferSettings {
        requireNonNull(checkpointInterval, "checkpointInterval is null");
        requireNonNull(probeInterval, "probeInterval is null");
        reconnectDelays = List.copyOf(requireNonNull(reconnectDelays, "reconnectDelays is null"));
        if (probeInterval.isNegative() || checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("the probe interval must not be negative, the checkpoint interval"
                    + " must be positive");
        }
        if (pieceSize < 16 || pieceSize % 16 != 0) {
            throw new IllegalArgumentException("the piece size must be a positive multiple of 16, got " + pieceSize);
        }
        if (limitRate < 0) {
            throw new IllegalArgumentException("the rate limit must not be negative");
        }
        if (checkpointBytes < 1 || bufferSize < 1 || freeSpaceMargin < 0) {
            throw new IllegalArgumentException("checkpointBytes and bufferSize must be positive, the margin not negative");
        }
    }

    public TransferSettings withReconnectDelays(List<Duration> delays) {
        return new TransferSettings(checkpointBytes, checkpointInterval, bufferSize, delays, freeSpaceMargin,
                probeInterval, limitRate, pieceSize);
    }

    public TransferSettings withCheckpointBytes(long bytes) {
        return new TransferSettings(bytes, checkpointInterval, bufferSize, reconnectDelays, freeSpaceMargin,
                probeInterval, limitRate, pieceSize);
    }

    public TransferSettings withProbeInterval(Duration interval) {
        return new TransferSettings(checkpointBytes, checkpointInterval, bufferSize, reconnectDelays, freeSpaceMargin,
                interval, limitRate, pieceSize);
    }

    public TransferSettings withLimitRate(long bytesPerSecond) {
        return new TransferSettings(checkpointBytes, checkpointInterval, bufferSize, reconnectDelays, freeSpaceMargin,
                probeInterval, bytesPerSecond, pieceSize);
    }

    public TransferSettings withPieceSize(long bytes) {
        return new TransferSettings(checkpointBytes, checkpointInterval, bufferSize, reconnectDelays, freeSpaceMargin,
                probeInterval, limitRate, bytes);
    }
}
