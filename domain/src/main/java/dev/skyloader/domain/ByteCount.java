package dev.skyloader.domain;

import java.util.Locale;

/** A non-negative number of bytes; {@link #parse(String)} reads {@code 1048576}, {@code 512k}, {@code 8M}, {@code 1G}. */
public record ByteCount(long bytes) implements Comparable<ByteCount> {
    public static final ByteCount ZERO = new ByteCount(0);

    public ByteCount {
        if (bytes < 0) {
            throw new IllegalArgumentException("byte count must not be negative, got " + bytes);
        }
    }

    public static ByteCount of(long bytes) {
        return new ByteCount(bytes);
    }

    /** Binary multiples: {@code k} = 1024, {@code M} = 1024², {@code G} = 1024³, {@code T} = 1024⁴; an optional {@code B}/{@code iB}. */
    public static ByteCount parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("byte count is empty");
        }
        String value = text.trim();
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.endsWith("ib")) {
            lower = lower.substring(0, lower.length() - 2);
        } else if (lower.endsWith("b")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        long multiplier = 1;
        if (!lower.isEmpty()) {
            int shift = switch (lower.charAt(lower.length() - 1)) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                case 't' -> 40;
                default -> 0;
            };
            if (shift > 0) {
                multiplier = 1L << shift;
                lower = lower.substring(0, lower.length() - 1);
            }
        }
        if (lower.isEmpty() || !lower.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a byte count: '" + value + "' (use e.g. 1048576, 512k, 8M, 1G)");
        }
        try {
            return new ByteCount(Math.multiplyExact(Long.parseLong(lower), multiplier));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("byte count too large: '" + value + "'");
        }
    }

    @Override
    public int compareTo(ByteCount other) {
        return Long.compare(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return bytes + " B";
    }
}
