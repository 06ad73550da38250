package dev.skyloader.domain;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import static java.util.Objects.requireNonNull;

/**
 * The {@code Content-Range} of a partial answer: byte positions {@code first..last} inclusive, and the total size of
 * the object when the server knows it (empty when it answered {@code *}). Parsed here once, for every source that
 * speaks HTTP ranges (plain HTTP, S3).
 */
public record ContentRange(long first, long last, OptionalLong total) {
    private static final Pattern SATISFIED = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)");

    public ContentRange {
        requireNonNull(total, "total is null");
        if (first < 0) {
            throw new IllegalArgumentException("range start must not be negative, got " + first);
        }
        if (last < first) {
            throw new IllegalArgumentException("range end " + last + " is before its start " + first);
        }
        if (total.isPresent() && last >= total.getAsLong()) {
            throw new IllegalArgumentException("range " + first + "-" + last + " lies beyond the total size "
                    + total.getAsLong());
        }
    }

    /**
     * Reads {@code bytes <first>-<last>/<total>} or {@code bytes <first>-<last>/*}, surrounding white space allowed.
     *
     * @throws IllegalArgumentException anything else, numbers too large for a long, or an impossible range
     */
    public static ContentRange parse(String value) {
        requireNonNull(value, "value is null");
        Matcher matcher = SATISFIED.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a Content-Range: '" + value + "'");
        }
        long first = number(matcher.group(1), value);
        long last = number(matcher.group(2), value);
        OptionalLong total = "*".equals(matcher.group(3)) ? OptionalLong.empty()
                : OptionalLong.of(number(matcher.group(3), value));
        return new ContentRange(first, last, total);
    }

    /**
     * Reads the {@code bytes *}{@code /<total>} of a 416 answer (no byte of the range asked for exists) and returns
     * the total size it states.
     *
     * @throws IllegalArgumentException anything else, or a total too large for a long
     */
    public static long parseUnsatisfied(String value) {
        requireNonNull(value, "value is null");
        Matcher matcher = UNSATISFIED.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not the Content-Range of an unsatisfiable range: '" + value + "'");
        }
        return number(matcher.group(1), value);
    }

    public long length() {
        return last - first + 1;
    }

    /** The total when the server stated it; otherwise {@code last + 1}, the least the object can hold. */
    public long impliedTotal() {
        return total.orElse(last + 1);
    }

    private static long number(String digits, String value) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Content-Range number out of range: '" + value + "'", e);
        }
    }

    @Override
    public String toString() {
        return "bytes " + first + "-" + last + "/" + (total.isPresent() ? Long.toString(total.getAsLong()) : "*");
    }
}
