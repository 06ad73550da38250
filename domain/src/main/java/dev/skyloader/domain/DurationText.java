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

    /**
     * A duration for people, to the precision that matters: {@code 3h57m}, {@code 4m12s}, {@code 56s}, {@code 1.5s},
     * {@code 250ms}. Seconds are rounded, and dropped from an hour or more.
     */
    public static String human(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 9_950 && millis % 1000 != 0) {
            return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = (millis + 500) / 1000;
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s");
        }
        long minutes = (seconds + 30) / 60;
        return minutes / 60 + "h" + (minutes % 60 == 0 ? "" : minutes % 60 + "m");
    }
}
