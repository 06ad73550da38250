package dev.skyloader.bootstrap.wiring;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.fakes.RecordingSleeper;
import dev.skyloader.application.port.out.Throttle;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rate limit on a virtual clock: the sleeper moves the clock by every wait, so no test sleeps. */
class BucketThrottleTest {
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    @Test
    void fourConnectionsSpendingFromOneBudgetStayWithinFivePercentOfTheRate() throws Exception {
        long rate = 4L << 20;
        Throttle throttle = BucketThrottle.of(rate, clock, sleeper);
        Instant start = clock.instant();
        long total = 0;
        // Four connections take turns with reads of different sizes, as the network hands them out.
        int[] reads = {65_536, 262_144, 16_384, 131_072};
        for (int round = 0; round < 500; round++) {
            for (int connection = 0; connection < 4; connection++) {
                throttle.spend(reads[connection]);
                total += reads[connection];
            }
        }
        double seconds = Duration.between(start, clock.instant()).toNanos() / 1e9;
        double measured = total / seconds;
        assertTrue(Math.abs(measured - rate) <= 0.05 * rate, "measured " + measured + " B/s for a budget of " + rate);
    }

    @Test
    void theBucketStartsEmptySoARunNeverStartsWithABurst() throws Exception {
        Throttle throttle = BucketThrottle.of(100_000, clock, sleeper);
        throttle.spend(50_000);
        assertEquals(java.util.List.of(Duration.ofMillis(500)), sleeper.sleeps());
    }

    @Test
    void aReadLargerThanOneSecondsWorthWaitsForAllOfIt() throws Exception {
        Throttle throttle = BucketThrottle.of(100_000, clock, sleeper);
        clock.advance(Duration.ofSeconds(1));
        throttle.spend(100_000);
        assertEquals(java.util.List.of(), sleeper.sleeps(), "a full bucket pays one second's worth at once");
        throttle.spend(250_000);
        assertEquals(java.util.List.of(Duration.ofMillis(2_500)), sleeper.sleeps());
    }

    @Test
    void timeThatPassedWithoutSpendingRefillsTheBucketUpToOneSecond() throws Exception {
        Throttle throttle = BucketThrottle.of(100_000, clock, sleeper);
        clock.advance(Duration.ofSeconds(1));
        throttle.spend(100_000);
        clock.advance(Duration.ofSeconds(10));
        throttle.spend(100_000);
        assertEquals(java.util.List.of(), sleeper.sleeps(), "ten idle seconds refill one second, no more");
        throttle.spend(50_000);
        assertEquals(java.util.List.of(Duration.ofMillis(500)), sleeper.sleeps());
    }

    @Test
    void zeroMeansNoLimitAndANegativeRateIsRefused() throws Exception {
        Throttle none = BucketThrottle.of(0, clock, sleeper);
        none.spend(Long.MAX_VALUE / 2);
        assertEquals(java.util.List.of(), sleeper.sleeps());
        assertThrows(IllegalArgumentException.class, () -> BucketThrottle.of(-1, clock, sleeper));
    }
}
