package dev.skyloader.domain;

/**
 * A closed range of byte positions, {@code first..last} inclusive, as HTTP's {@code Content-Range} states it,
 * with the total size of the object when the server knows it ({@code -1} when it answered {@code *}).
 */
public record ByteRange(long first, long last, long total) {
    public static final long UNKNOWN_TOTAL = -1;

    public ByteRange {
        if (first < 0) {
            throw new IllegalArgumentException("range start must not be negative, got " + first);
        }
        if (last < first) {
            throw new IllegalArgumentException("range end " + last + " is before its start " + first);
        }
        if (total != UNKNOWN_TOTAL && last >= total) {
            throw new IllegalArgumentException("range " + first + "-" + last + " lies beyond the total size " + total);
        }
    }

    public long length() {
        return last - first + 1;
    }

    public boolean totalKnown() {
        return total != UNKNOWN_TOTAL;
    }

    @Override
    public String toString() {
        return "bytes " + first + "-" + last + "/" + (totalKnown() ? Long.toString(total) : "*");
    }
}
