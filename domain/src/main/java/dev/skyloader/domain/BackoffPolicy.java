package dev.skyloader.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import static java.util.Objects.requireNonNull;

/**
 * How long to wait before the next attempt after {@code n} consecutive failed attempts.
 *
 * <p>The n-th consecutive failure waits {@code steps[n-1]}; past the end of the list the last step repeats, so the
 * last step is the longest wait there is. Jitter only ever shortens a wait, by up to {@code jitter} of it, so that a
 * fleet regaining coverage at the same moment does not hit the CDN at once, and the maximum stays the maximum.
 * "Consecutive" is the caller's business: an attempt that moved bytes resets the count (see {@link Download}).
 */
public record BackoffPolicy(List<Duration> steps, double jitter) {
    /** 1 min, 5 min, 15 min, 1 h, then 4 h at most, each shortened by up to 10%. */
    public static final BackoffPolicy DEFAULT = new BackoffPolicy(List.of(
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1),
            Duration.ofHours(4)), 0.1);

    public BackoffPolicy {
        requireNonNull(steps, "steps is null");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("backoff needs at least one step");
        }
        for (Duration step : steps) {
            if (step.isNegative()) {
                throw new IllegalArgumentException("backoff step must not be negative: " + step);
            }
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
        }
    }

    /** Reads {@code 1m,5m,15m,1h,4h}. */
    public static BackoffPolicy parse(String text, double jitter) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("backoff schedule is empty");
        }
        List<Duration> steps = new ArrayList<>();
        for (String part : text.split(",")) {
            steps.add(DurationText.parse(part));
        }
        return new BackoffPolicy(steps, jitter);
    }

    public BackoffPolicy withJitter(double newJitter) {
        return new BackoffPolicy(steps, newJitter);
    }

    /** The longest wait this policy can ask for. */
    public Duration maximum() {
        return steps.stream().max(Duration::compareTo).orElseThrow();
    }

    /**
     * The wait after {@code consecutiveFailures} failed attempts in a row (1 for the first failure).
     *
     * @param random where jitter comes from; injected so that tests are exact
     */
    public Duration delayAfter(int consecutiveFailures, RandomGenerator random) {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutive failures start at 1, got " + consecutiveFailures);
        }
        Duration base = steps.get(Math.min(consecutiveFailures, steps.size()) - 1);
        if (jitter == 0 || base.isZero()) {
            return base;
        }
        double factor = 1 - jitter * random.nextDouble();
        return Duration.ofMillis(Math.round(base.toMillis() * factor));
    }

    @Override
    public String toString() {
        return String.join(",", steps.stream().map(DurationText::format).toList());
    }
}
