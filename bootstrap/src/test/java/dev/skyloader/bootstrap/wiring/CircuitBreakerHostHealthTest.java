package dev.skyloader.bootstrap.wiring;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerHostHealthTest {
    private static final String CDN = "https://cdn.example";

    @Test
    void aHostThatFailsThreeTimesInARowIsSkippedForFiveMinutesThenTriedAgain() {
        FakeClock clock = new FakeClock();
        CircuitBreakerHostHealth hosts = new CircuitBreakerHostHealth(clock, 3, Duration.ofMinutes(5));
        hosts.failed(CDN);
        hosts.failed(CDN);
        assertTrue(hosts.available(CDN), "two failures are not enough");
        hosts.failed(CDN);
        assertFalse(hosts.available(CDN));
        assertTrue(hosts.available("https://mirror.example"), "other hosts are not affected");
        clock.advance(Duration.ofMinutes(4));
        assertFalse(hosts.available(CDN));
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertTrue(hosts.available(CDN), "half-open after five minutes");
        hosts.failed(CDN);
        assertFalse(hosts.available(CDN), "a failed trial opens it again");
        clock.advance(Duration.ofMinutes(6));
        assertTrue(hosts.available(CDN));
        hosts.succeeded(CDN);
        hosts.failed(CDN);
        assertTrue(hosts.available(CDN), "a success closed it: one failure is not enough any more");
    }

    @Test
    void successesInBetweenKeepAHostInUse() {
        CircuitBreakerHostHealth hosts = new CircuitBreakerHostHealth(new FakeClock(), 3, Duration.ofMinutes(5));
        for (int i = 0; i < 10; i++) {
            hosts.failed(CDN);
            hosts.failed(CDN);
            hosts.succeeded(CDN);
        }
        assertTrue(hosts.available(CDN));
    }

    @Test
    void successesBeforeTheFirstFailureChangeNothingThreeFailuresInARowStillSkipTheHost() {
        // The breakers are made at the first failure: the successes before it are not recorded, which must not
        // matter, since only the last three calls count.
        FakeClock clock = new FakeClock();
        CircuitBreakerHostHealth hosts = new CircuitBreakerHostHealth(clock, 3, Duration.ofMinutes(5));
        for (int i = 0; i < 5; i++) {
            assertTrue(hosts.available(CDN));
            hosts.succeeded(CDN);
        }
        hosts.failed(CDN);
        hosts.failed(CDN);
        assertTrue(hosts.available(CDN), "two failures are not enough");
        hosts.failed(CDN);
        assertFalse(hosts.available(CDN), "three failures in a row skip it, whatever came before");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertTrue(hosts.available(CDN));
    }
}
