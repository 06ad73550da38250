package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.domain.BackoffPolicy;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import static java.util.Objects.requireNonNull;

/**
 * The two tiers of waiting after a failed connection: quick reconnects (seconds) for brief drop-outs, then the long
 * schedule (1 min ... 4 h) with a failed attempt counted each time. A connection that moved bytes is resumed at once;
 * a server that said when to come back ({@code Retry-After}) gets no quick reconnects and at least its wait. A long
 * wait ends early on a kick or when the source answers a probe.
 */
final class RetryTiers {
    /** How a wait ended. */
    sealed interface After {
    }

    /** Try again now. */
    record Resume() implements After {
    }

    /** This run's attempts ran out; the state is kept. */
    record GaveUp(String message) implements After {
    }

    private final Journal journal;
    private final ArtifactSource source;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final TransferSettings settings;
    private final BackoffPolicy backoff;
    private final OptionalInt maxAttempts;
    private final DownloadListener listener;
    private final DownloadId id;
    private int quickFailures;
    private int failedAttempts;

    RetryTiers(Journal journal, ArtifactSource source, Sleeper sleeper, RandomGenerator random,
               TransferSettings settings, BackoffPolicy backoff, OptionalInt maxAttempts, DownloadListener listener) {
        this.journal = requireNonNull(journal, "journal is null");
        this.source = requireNonNull(source, "source is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.random = requireNonNull(random, "random is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.maxAttempts = requireNonNull(maxAttempts, "maxAttempts is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.id = journal.read(d -> d.id());
    }

    After waitAfter(SourceException error, boolean progressed, Supplier<SourceUrl> current)
            throws IOException, InterruptedException {
        String reason = error.getMessage();
        if (progressed) {
            quickFailures = 0;
            listener.notice(id, reason + "; resuming at byte " + journal.bytes());
            return new Resume();
        }
        List<Duration> quick = settings.reconnectDelays();
        if (quickFailures < quick.size() && error.retryAfter().isEmpty()) {
            Duration wait = quick.get(quickFailures++);
            listener.waiting(id, wait, reason + " (quick reconnect " + quickFailures + " of " + quick.size() + ")");
            sleeper.sleep(wait);
            return new Resume();
        }
        quickFailures = 0;
        failedAttempts++;
        int attempt = journal.read(d -> d.attempts()) + 1;
        Duration wait = backoff.delayAfter(attempt, random);
        if (error.retryAfter().isPresent() && error.retryAfter().get().compareTo(wait) > 0) {
            Duration asked = error.retryAfter().get();
            wait = asked.compareTo(backoff.maximum()) > 0 ? backoff.maximum() : asked;
        }
        Duration chosen = wait;
        journal.change((d, now) -> d.attemptFailed(reason, now.plus(chosen), now));
        if (maxAttempts.isPresent() && failedAttempts >= maxAttempts.getAsInt()) {
            return new GaveUp("not finished after " + failedAttempts + " attempt" + (failedAttempts == 1 ? "" : "s")
                    + " (" + reason + "); " + journal.bytes() + " bytes kept, run again to resume");
        }
        listener.waiting(id, wait, "attempt " + failedAttempts
                + (maxAttempts.isPresent() ? " of " + maxAttempts.getAsInt() : "") + " failed: " + reason);
        waitOrWake(wait, current);
        return new Resume();
    }

    /**
     * Waits out a backoff, but not longer than needed: a kick ends it at once, and so does the source answering a
     * probe again (the link is back), asked every probe interval.
     */
    private void waitOrWake(Duration wait, Supplier<SourceUrl> current) throws InterruptedException {
        Instant until = journal.now().plus(wait);
        Duration interval = settings.probeInterval();
        while (journal.now().isBefore(until)) {
            Duration left = Duration.between(journal.now(), until);
            Duration slice = interval.isZero() || interval.compareTo(left) > 0 ? left : interval;
            if (sleeper.sleep(slice)) {
                listener.notice(id, "woken up: starting the next attempt now");
                return;
            }
            if (!interval.isZero() && journal.now().isBefore(until) && source.probe(current.get())) {
                listener.notice(id, journal.read(d -> d.url()) + " answers again: starting the next attempt now");
                return;
            }
        }
    }
}
