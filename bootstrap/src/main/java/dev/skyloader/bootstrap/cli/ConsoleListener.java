package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.DurationText;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/** Progress and notices on stderr, for operators and container logs: one line at a time, at most every 2 s. */
final class ConsoleListener implements DownloadListener {
    private static final long INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();

    private final PrintStream err;
    private final boolean quiet;
    private final String name;
    private long lastPrint = System.nanoTime();
    private long lastBytes = -1;
    private long startNanos = System.nanoTime();
    private long startBytes = -1;

    ConsoleListener(PrintStream err, boolean quiet, String name) {
        this.err = err;
        this.quiet = quiet;
        this.name = name;
    }

    @Override
    public void progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
        if (quiet) {
            return;
        }
        long now = System.nanoTime();
        if (startBytes < 0 || bytes < startBytes) {
            startBytes = bytes;
            startNanos = now;
        }
        if (state == DownloadState.DOWNLOADING && now - lastPrint < INTERVAL_NANOS) {
            return;
        }
        if (state == DownloadState.DOWNLOADING && bytes == lastBytes) {
            return;
        }
        lastPrint = now;
        lastBytes = bytes;
        StringBuilder line = new StringBuilder("skyloader: ").append(state.wireName()).append(' ').append(name)
                .append(": ").append(size(bytes));
        if (total.isPresent()) {
            line.append(" / ").append(size(total.getAsLong()));
            if (total.getAsLong() > 0) {
                line.append(String.format(Locale.ROOT, " (%d%%)", bytes * 100 / total.getAsLong()));
            }
        }
        double seconds = (now - startNanos) / 1e9;
        if (state == DownloadState.DOWNLOADING && seconds > 0.5) {
            line.append(" at ").append(size((long) ((bytes - startBytes) / seconds))).append("/s");
        }
        err.println(line);
    }

    @Override
    public void notice(DownloadId id, String message) {
        if (!quiet) {
            err.println("skyloader: " + message);
        }
    }

    @Override
    public void waiting(DownloadId id, Duration delay, String reason) {
        if (!quiet) {
            err.println("skyloader: " + reason + "; retrying in " + DurationText.human(delay));
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
