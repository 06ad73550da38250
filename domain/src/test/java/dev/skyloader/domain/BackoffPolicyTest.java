package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {
    private static final RandomGenerator ALWAYS_MAX = new RandomGenerator() {
        @Override public long nextLong() { return 0; }
        @Override public double nextDouble() { return Math.nextDown(1.0); }
    };

    @Test
    void consecutiveFailuresWaitOneFiveFifteenMinutesOneHourThenFourHoursAtMost() {
        BackoffPolicy policy = BackoffPolicy.DEFAULT.withJitter(0);
        List<Duration> waits = java.util.stream.IntStream.rangeClosed(1, 7)
                .mapToObj(n -> policy.delayAfter(n, RandomGenerator.getDefault())).toList();
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofHours(1), Duration.ofHours(4), Duration.ofHours(4), Duration.ofHours(4)), waits);
    }

    @Test
    void jitterOnlyShortensAndStaysWithinItsFraction() {
        BackoffPolicy policy = BackoffPolicy.DEFAULT;
        assertEquals(Duration.ofMinutes(54), policy.delayAfter(4, ALWAYS_MAX).truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
        RandomGenerator random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            Duration d = policy.delayAfter(5, random);
            assertTrue(d.compareTo(Duration.ofHours(4)) <= 0, d.toString());
            assertTrue(d.compareTo(Duration.ofMinutes(216)) >= 0, d.toString());
        }
        assertEquals(Duration.ofHours(4), policy.maximum());
    }

    @Test
    void parsesASchedule() {
        BackoffPolicy policy = BackoffPolicy.parse("1s, 500ms,2m,1h", 0);
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMinutes(2), Duration.ofHours(1)),
                policy.steps());
        assertEquals("1s,500ms,2m,1h", policy.toString());
        assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.parse("1m,,5m", 0));
        assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.parse("1x", 0));
        assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.DEFAULT.delayAfter(0, ALWAYS_MAX));
        assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.DEFAULT.withJitter(1.0));
    }
}
