package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.DurationText;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * What a download shows on stderr, in one of the {@code --progress} modes:
 * <ul>
 *   <li>{@code bar}: one line redrawn in place (name, percent, bytes, current rate, ETA, connections, or the state
 *       when not downloading); notices print above it;</li>
 *   <li>{@code plain}: a timestamped line every interval (30 s) and at every change of state: for container logs;</li>
 *   <li>{@code json}: one JSON object per line and event ({@code start}, {@code progress} at most once per interval,
 *       {@code retry}, {@code wait}, {@code verify}, {@code decrypt}, {@code done}, {@code error});</li>
 *   <li>{@code none}: nothing.</li>
 * </ul>
 * The rate is over the last five seconds, not since the start: after an outage it shows the link's
 * speed again within seconds. Time comes from the clock and the nanosecond source given, so tests need no sleep.
 */
final class ConsoleListener implements DownloadListener {
    /** How progress is shown. */
    enum Mode {
        BAR, PLAIN, JSON, NONE;

        /** {@code auto}: a bar on a terminal, plain lines otherwise; {@code --quiet} is {@code none}. */
        static Mode choose(String text, boolean quiet, boolean terminal) {
            String mode = text.toLowerCase(Locale.ROOT);
            if (quiet && !mode.equals("json")) {
                return NONE;
            }
            return switch (mode) {
                case "auto" -> terminal ? BAR : PLAIN;
                case "bar" -> BAR;
                case "plain" -> PLAIN;
                case "json" -> JSON;
                case "none" -> NONE;
                default -> throw new BadInputException("--progress: expected auto, bar, plain, json or none, got '"
                        + text + "'");
            };
        }

        /** The interval when none is given: a line every 30 s in a log, an event every second for a machine. */
        Duration defaultInterval() {
            return switch (this) {
                case PLAIN -> Duration.ofSeconds(30);
                case BAR -> Duration.ofMillis(200);
                default -> Duration.ofSeconds(1);
            };
        }
    }

    private static final double RATE_SECONDS = 5;

    private final PrintStream err;
    private final Mode mode;
    private final String name;
    private final int connections;
    private final long intervalNanos;
    private final Clock clock;
    private final LongSupplier nanos;

    private DownloadState lastState;
    private long lastPrintNanos;
    private boolean printedOnce;
    private double rate;
    private boolean rateKnown;
    private long shownBytes;
    private OptionalLong total = OptionalLong.empty();
    private boolean barShown;

    ConsoleListener(PrintStream err, Mode mode, String name, int connections, Duration interval, Clock clock,
                    LongSupplier nanos) {
        this.err = err;
        this.mode = mode;
        this.name = name;
        this.connections = connections;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.nanos = nanos;
    }

    Mode mode() {
        return mode;
    }

    /** Whether the download it shows was seen complete. */
    synchronized boolean completed() {
        return lastState == DownloadState.COMPLETE;
    }

    /** The run begins. */
    synchronized void start(OptionalLong expectedTotal) {
        total = expectedTotal;
        if (mode == Mode.JSON) {
            Map<String, Object> event = event("start");
            expectedTotal.ifPresent(t -> event.put("total", t));
            emit(event);
        }
    }

    @Override
    public synchronized void progress(DownloadId id, DownloadState state, long bytes, OptionalLong newTotal) {
        if (mode == Mode.NONE) {
            return;
        }
        if (newTotal.isPresent()) {
            total = newTotal;
        }
        long now = nanos.getAsLong();
        sample(now, bytes);
        boolean changed = state != lastState;
        lastState = state;
        if (!changed && now - lastPrintNanos < intervalNanos && printedOnce) {
            return;
        }
        if (!changed && state == DownloadState.DOWNLOADING && bytes == shownBytes && printedOnce) {
            return;
        }
        lastPrintNanos = now;
        printedOnce = true;
        shownBytes = Math.max(shownBytes, bytes);
        switch (mode) {
            case BAR -> drawBar(state);
            case PLAIN -> line(state.wireName() + " " + name + ": " + amounts(shownBytes) + reusedText() + speed(state));
            case JSON -> {
                if (state == DownloadState.COMPLETE) {
                    return; // done says it, with the outcome
                }
                String kind = switch (state) {
                    case VERIFYING -> "verify";
                    case DECRYPTING -> "decrypt";
                    default -> "progress";
                };
                Map<String, Object> event = event(kind);
                event.put("state", state.wireName());
                event.put("bytes", shownBytes);
                total.ifPresent(t -> event.put("total", t));
                if (state == DownloadState.DOWNLOADING && rateKnown) {
                    event.put("rate", Math.round(rate));
                    eta().ifPresent(s -> event.put("eta_s", s));
                }
                event.put("connections", connections);
                emit(event);
            }
            default -> {
            }
        }
    }

    @Override
    public synchronized void notice(DownloadId id, String message) {
        switch (mode) {
            case BAR -> {
                clearBar();
                err.println("skyloader: " + message);
                redraw();
            }
            case PLAIN -> line(message);
            case JSON -> {
                Map<String, Object> event = event("retry");
                event.put("message", message);
                emit(event);
            }
            default -> {
            }
        }
    }

    @Override
    public synchronized void delta(DownloadId id, long reused, long total, Duration took, String message) {
        this.reused = reused;
        // The copied bytes arrive all at once: the rate is of what the link brings, from here on.
        rateKnown = false;
        window.clear();
        if (mode != Mode.JSON) {
            // Named: with several artifacts side by side, the line must say whose blocks these are.
            notice(id, name + ": " + message);
            return;
        }
        Map<String, Object> event = event("delta");
        event.put("bytes_reused", reused);
        event.put("total", total);
        event.put("scan_s", took.toMillis() / 1000.0);
        event.put("message", message);
        emit(event);
    }

    @Override
    public synchronized void waiting(DownloadId id, Duration delay, String reason) {
        switch (mode) {
            case BAR -> {
                clearBar();
                err.println("skyloader: " + reason + "; next try in " + DurationText.human(delay));
                rateKnown = false;
                redraw();
            }
            case PLAIN -> line(reason + "; next try in " + DurationText.human(delay));
            case JSON -> {
                Map<String, Object> event = event("wait");
                event.put("delay_s", Math.max(0, (delay.toMillis() + 999) / 1000));
                event.put("message", reason);
                emit(event);
            }
            default -> {
            }
        }
        // The rate after an outage is the link's, not an average over the wait.
        rateKnown = false;
        window.clear();
    }

    /** The run ended: the bar gives its line back; JSON says how. */
    synchronized void finish(String outcome, String message, long outputBytes) {
        finish(outcome, message, outputBytes, java.util.OptionalLong.empty(), java.util.OptionalLong.empty());
    }

    /** As {@link #finish(String, String, long)}, with what a delta update reused and what was fetched. */
    synchronized void finish(String outcome, String message, long outputBytes, java.util.OptionalLong reused,
                             java.util.OptionalLong fetched) {
        if (mode == Mode.BAR && barShown) {
            err.println();
            barShown = false;
        }
        if (mode == Mode.JSON) {
            Map<String, Object> event = event(outcome.equals("complete") ? "done" : "error");
            event.put("outcome", outcome);
            event.put("message", message);
            if (outcome.equals("complete")) {
                event.put("bytes", outputBytes);
            }
            if (reused.isPresent() && fetched.isPresent()) {
                event.put("bytes_fetched", fetched.getAsLong());
                event.put("bytes_reused", reused.getAsLong());
            }
            emit(event);
        }
    }

    /**
     * The rate over the last {@link #RATE_SECONDS} seconds: bytes between the oldest and the newest sample of that
     * window over the time between them (a sample a tenth of a second apart at most, so at most 50 are kept).
     */
    private void sample(long now, long bytes) {
        if (!window.isEmpty() && bytes < window.peekLast()[1]) {
            window.clear(); // a restart from byte 0
            reused = -1; // and a delta's blocks went with it
        }
        if (!window.isEmpty() && now - window.peekLast()[0] < 100_000_000L) {
            return;
        }
        window.addLast(new long[]{now, bytes});
        long horizon = now - (long) (RATE_SECONDS * 1e9);
        while (window.size() > 2 && window.peekFirst()[0] < horizon) {
            window.removeFirst();
        }
        long[] first = window.peekFirst();
        double seconds = (now - first[0]) / 1e9;
        rateKnown = seconds >= 0.5;
        if (rateKnown) {
            rate = (bytes - first[1]) / seconds;
        }
    }

    private final java.util.ArrayDeque<long[]> window = new java.util.ArrayDeque<>();

    private java.util.OptionalLong eta() {
        if (!rateKnown || rate < 1 || total.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, Math.round((total.getAsLong() - shownBytes) / rate)));
    }

    /** Plaintext bytes a delta update copied from seeds; -1 without one. */
    private long reused = -1;

    /** What of the bytes shown came from local seeds, apart from what came over the link. */
    private String reusedText() {
        return reused > 0 ? ", " + size(reused) + " reused" : "";
    }

    private String amounts(long bytes) {
        StringBuilder text = new StringBuilder(size(bytes));
        if (total.isPresent()) {
            text.append(" / ").append(size(total.getAsLong()));
            if (total.getAsLong() > 0) {
                text.append(String.format(Locale.ROOT, " (%d%%)", bytes * 100 / total.getAsLong()));
            }
        }
        return text.toString();
    }

    private String speed(DownloadState state) {
        if (state != DownloadState.DOWNLOADING || !rateKnown) {
            return "";
        }
        StringBuilder text = new StringBuilder(" at ").append(size(Math.round(rate))).append("/s");
        eta().ifPresent(s -> text.append(", ").append(DurationText.human(Duration.ofSeconds(Math.max(1, s))))
                .append(" left"));
        return text.toString();
    }

    private void drawBar(DownloadState state) {
        StringBuilder text = new StringBuilder(name).append("  ");
        if (total.isPresent() && total.getAsLong() > 0) {
            long percent = shownBytes * 100 / total.getAsLong();
            int filled = (int) Math.min(20, shownBytes * 20 / total.getAsLong());
            text.append(String.format(Locale.ROOT, "%3d%% [", percent)).append("#".repeat(filled))
                    .append(".".repeat(20 - filled)).append("] ");
        }
        text.append(amounts(shownBytes).replaceAll(" \\(\\d+%\\)", "")).append(reusedText());
        if (state == DownloadState.DOWNLOADING) {
            text.append(speed(state));
            if (connections > 1) {
                text.append(", ").append(connections).append(" connections");
            }
        } else {
            text.append("  ").append(state.wireName());
        }
        barText = text.toString();
        redraw();
    }

    private String barText = "";

    private void redraw() {
        if (!barText.isEmpty()) {
            err.print("\r" + barText + "\u001b[K");
            err.flush();
            barShown = true;
        }
    }

    private void clearBar() {
        if (barShown) {
            err.print("\r\u001b[K");
        }
    }

    private void line(String text) {
        err.println(clock.instant().truncatedTo(ChronoUnit.SECONDS) + " skyloader: " + text);
    }

    private Map<String, Object> event(String kind) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", kind);
        event.put("name", name);
        return event;
    }

    private void emit(Map<String, Object> event) {
        event.put("ts", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        err.println(JsonOutput.write(event));
    }

    /** Whether stderr is a terminal (a bar there is redrawn in place; in a file it would be noise). */
    static boolean stderrIsATerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | RuntimeException e) {
            return System.console() != null;
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
