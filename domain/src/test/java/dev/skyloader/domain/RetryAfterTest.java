package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-10-21T07:26:00Z");

    @Test
    void deltaSecondsAreAWaitOfThatManySeconds() {
        assertEquals(Optional.of(Duration.ofMinutes(2)), RetryAfter.parse("120", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse(" 0 ", NOW));
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("90", NOW));
    }

    @Test
    void nineDigitsAreTheLongestWaitHonoured() {
        assertEquals(Optional.of(Duration.ofSeconds(999_999_999)), RetryAfter.parse("999999999", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("1000000000", NOW));
    }

    @Test
    void anHttpDateIsAWaitUntilThatMoment() {
        assertEquals(Optional.of(Duration.ofMinutes(2)), RetryAfter.parse("Wed, 21 Oct 2026 07:28:00 GMT", NOW));
    }

    @Test
    void anHttpDateInThePastIsNoWait() {
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Wed, 21 Oct 2026 07:00:00 GMT", NOW));
    }

    @Test
    void anythingElseIsNoAnswer() {
        for (String value : new String[]{"", "soon", "-5", "1.5", "12345678901", "2026-10-21T07:28:00Z", "\u0661\u0662"}) {
            assertEquals(Optional.empty(), RetryAfter.parse(value, NOW), value);
        }
    }
}
