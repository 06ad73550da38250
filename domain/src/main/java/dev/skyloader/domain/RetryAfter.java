package dev.skyloader.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Reads HTTP's {@code Retry-After} as the wait it asks for: delta-seconds ({@code 120}) or an HTTP-date
 * ({@code Wed, 21 Oct 2026 07:28:00 GMT}). Parsed here once, for every source that speaks HTTP (plain HTTP, S3).
 */
public final class RetryAfter {
    /** Nine digits are over thirty years: a longer number is not a wait we would honour, nor fit in an int. */
    private static final int MAX_DIGITS = 9;

    private RetryAfter() {
    }

    /**
     * The wait {@code value} asks for, as seen at {@code now}: a date in the past is no wait at all.
     *
     * @return empty when {@code value} is neither form (the caller then waits on its own schedule)
     */
    public static Optional<Duration> parse(String value, Instant now) {
        requireNonNull(value, "value is null");
        requireNonNull(now, "now is null");
        String trimmed = value.trim();
        if (!trimmed.isEmpty() && trimmed.length() <= MAX_DIGITS && trimmed.chars().allMatch(RetryAfter::isDigit)) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
        }
        try {
            Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration until = Duration.between(now, at);
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    // ASCII only: Character.isDigit would let other scripts' digits through to Long.parseLong.
    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }
}
