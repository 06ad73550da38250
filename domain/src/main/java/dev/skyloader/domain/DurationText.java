package dev.skyloader.domain;

import java.time.Duration;
import java.util.Locale;

/** Reads durations as people write them: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
public final class DurationText {
    private DurationText() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty");
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        String digits;
        String unit;
        if (value.endsWith("ms")) {
            digits = value.substring(0, value.length() - 2);
            unit = "ms";
        } else if (value.endsWith("s") || value.endsWith("m") || value.endsWith("h") || value.endsWith("d")) {
            digits = value.substring(0, value.length() - 1);
            unit = value.substring(value.length() - 1);
        } else {
            digits = value;
            unit = "s";
        }
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 12) {
            throw new IllegalArgumentException("not a duration: '" + text.trim() + "' (use e.g. 500ms, 30s, 5m, 1h)");
        }
        long amount = Long.parseLong(digits);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** The shortest exact text for a duration: {@code 4h}, {@code 90s}, {@code 1500ms}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
