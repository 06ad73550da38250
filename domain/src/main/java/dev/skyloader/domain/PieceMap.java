package dev.skyloader.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Which byte ranges of a part file are present: sorted, disjoint, non-adjacent half-open ranges {@code [start, end)},
 * merged as they are added. With several connections an artifact arrives as pieces in any order; the verifier can
 * follow only the {@linkplain #prefix() contiguous prefix}, and a resume asks only for what is {@linkplain
 * #missing(long) missing}. Immutable.
 */
public final class PieceMap {
    /** One present range, {@code [start, end)}. */
    public record Range(long start, long end) {
        public Range {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("not a range: [" + start + ", " + end + ")");
            }
        }

        public long length() {
            return end - start;
        }
    }

    private static final PieceMap EMPTY = new PieceMap(List.of());

    private final List<Range> ranges;

    private PieceMap(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    public static PieceMap empty() {
        return EMPTY;
    }

    /** Bytes {@code [0, length)}: what a single connection leaves. */
    public static PieceMap prefixOf(long length) {
        return length == 0 ? EMPTY : EMPTY.with(new Range(0, length));
    }

    /** From stored ranges, in any order, possibly overlapping. */
    public static PieceMap of(List<Range> ranges) {
        PieceMap map = EMPTY;
        for (Range range : requireNonNull(ranges, "ranges is null")) {
            map = map.with(range);
        }
        return map;
    }

    /** This map with {@code range} present too (merged with what it overlaps or touches). */
    public PieceMap with(Range range) {
        requireNonNull(range, "range is null");
        if (range.length() == 0) {
            return this;
        }
        List<Range> merged = new ArrayList<>(ranges.size() + 1);
        long start = range.start();
        long end = range.end();
        int i = 0;
        while (i < ranges.size() && ranges.get(i).end() < start) {
            merged.add(ranges.get(i++));
        }
        while (i < ranges.size() && ranges.get(i).start() <= end) {
            start = Math.min(start, ranges.get(i).start());
            end = Math.max(end, ranges.get(i).end());
            i++;
        }
        merged.add(new Range(start, end));
        while (i < ranges.size()) {
            merged.add(ranges.get(i++));
        }
        return new PieceMap(merged);
    }

    /** This map with the bytes of {@code range} absent. */
    public PieceMap without(Range range) {
        requireNonNull(range, "range is null");
        if (range.length() == 0) {
            return this;
        }
        List<Range> kept = new ArrayList<>(ranges.size() + 1);
        for (Range present : ranges) {
            if (present.end() <= range.start() || present.start() >= range.end()) {
                kept.add(present);
                continue;
            }
            if (present.start() < range.start()) {
                kept.add(new Range(present.start(), range.start()));
            }
            if (present.end() > range.end()) {
                kept.add(new Range(range.end(), present.end()));
            }
        }
        return new PieceMap(kept);
    }

    /** This map cut at {@code length}: nothing at or beyond it is present. */
    public PieceMap truncatedTo(long length) {
        List<Range> kept = new ArrayList<>();
        for (Range range : ranges) {
            if (range.start() >= length) {
                break;
            }
            kept.add(new Range(range.start(), Math.min(range.end(), length)));
        }
        return new PieceMap(kept);
    }

    /** Bytes present from byte 0 without a gap. */
    public long prefix() {
        return ranges.isEmpty() || ranges.get(0).start() != 0 ? 0 : ranges.get(0).end();
    }

    /** Bytes present in all. */
    public long present() {
        return ranges.stream().mapToLong(Range::length).sum();
    }

    /** The gaps in {@code [0, total)}, in order. */
    public List<Range> missing(long total) {
        List<Range> gaps = new ArrayList<>();
        long at = 0;
        for (Range range : ranges) {
            if (range.start() >= total) {
                break;
            }
            if (range.start() > at) {
                gaps.add(new Range(at, range.start()));
            }
            at = Math.max(at, range.end());
        }
        if (at < total) {
            gaps.add(new Range(at, total));
        }
        return gaps;
    }

    /** The first gap in {@code [0, total)}, if any. */
    public Optional<Range> firstMissing(long total) {
        List<Range> gaps = missing(total);
        return gaps.isEmpty() ? Optional.empty() : Optional.of(gaps.get(0));
    }

    /** Whether every byte of {@code [0, total)} is present. */
    public boolean covers(long total) {
        return prefix() >= total;
    }

    /** The bytes present both here and in {@code other}. */
    public PieceMap intersect(PieceMap other) {
        requireNonNull(other, "other is null");
        List<Range> both = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < ranges.size() && j < other.ranges.size()) {
            Range a = ranges.get(i);
            Range b = other.ranges.get(j);
            long start = Math.max(a.start(), b.start());
            long end = Math.min(a.end(), b.end());
            if (start < end) {
                both.add(new Range(start, end));
            }
            if (a.end() < b.end()) {
                i++;
            } else {
                j++;
            }
        }
        return new PieceMap(both);
    }

    /** This map with every range of {@code other} present too. */
    public PieceMap union(PieceMap other) {
        PieceMap merged = this;
        for (Range range : requireNonNull(other, "other is null").ranges) {
            merged = merged.with(range);
        }
        return merged;
    }

    /** Whether every byte present in {@code other} is present here too. */
    public boolean containsAll(PieceMap other) {
        int i = 0;
        for (Range range : other.ranges) {
            while (i < ranges.size() && ranges.get(i).end() < range.end()) {
                i++;
            }
            if (i == ranges.size() || ranges.get(i).start() > range.start()) {
                return false;
            }
        }
        return true;
    }

    public List<Range> ranges() {
        return ranges;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PieceMap map && map.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("PieceMap[");
        for (Range range : ranges) {
            text.append('[').append(range.start()).append(", ").append(range.end()).append(')');
        }
        return text.append(']').toString();
    }
}
