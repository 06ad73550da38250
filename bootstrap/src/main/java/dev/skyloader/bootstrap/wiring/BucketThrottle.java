package dev.skyloader.bootstrap.wiring;

import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.Throttle;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import static java.util.Objects.requireNonNull;

/**
 * {@code --limit-rate} as a Bucket4j token bucket of bytes, empty at first, refilled greedily at the rate and holding
 * one second's worth: one bucket for every connection of the run; a connection spends what it received and, when the bucket went into debt, waits until it is paid back. The
 * bucket reads the injected clock and waits through the injected sleeper, so tests run it on a virtual clock.
 */
final class BucketThrottle implements Throttle {
    private final Bucket bucket;
    private final Sleeper sleeper;
    private final Clock clock;
    private final ClockTimeMeter meter;

    private BucketThrottle(long bytesPerSecond, Clock clock, Sleeper sleeper) {
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.meter = new ClockTimeMeter(clock);
        this.bucket = Bucket.builder()
                // Empty at first: a run never starts with a burst above the rate.
                .addLimit(limit -> limit.capacity(bytesPerSecond).refillGreedy(bytesPerSecond, Duration.ofSeconds(1))
                        .initialTokens(0))
                .withCustomTimePrecision(meter)
                .build();
    }

    /** A budget of {@code bytesPerSecond}, or no limit at all for 0. */
    static Throttle of(long bytesPerSecond, Clock clock, Sleeper sleeper) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("the rate must not be negative");
        }
        return bytesPerSecond == 0 ? Throttle.UNLIMITED : new BucketThrottle(bytesPerSecond, clock, sleeper);
    }

    @Override
    public void spend(long bytes) throws InterruptedException {
        if (bytes <= 0) {
            return;
        }
        long debtNanos = bucket.consumeIgnoringRateLimits(bytes);
        if (debtNanos > 0) {
            Instant now = meter.lastRead();
            // Until a moment, not for a while: another connection's wait since then counts for this one too. A kick
            // may end the wait early; the debt is then paid by the next spend's wait.
            sleeper.sleepUntil(clock, now.plusNanos(debtNanos));
        }
    }

    /** Bucket4j's time, from the injected clock; remembers per thread the moment the bucket last saw. */
    private static final class ClockTimeMeter implements TimeMeter {
        private final Clock clock;
        private final ThreadLocal<Instant> lastRead = new ThreadLocal<>();

        ClockTimeMeter(Clock clock) {
            this.clock = clock;
        }

        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            lastRead.set(now);
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        /** The moment this thread's last consumption was measured at. */
        Instant lastRead() {
            Instant read = lastRead.get();
            return read == null ? clock.instant() : read;
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
