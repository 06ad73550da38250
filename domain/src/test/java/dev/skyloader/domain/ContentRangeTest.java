package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ContentRangeTest {
    @Test
    void readsARangeWithItsTotal() {
        ContentRange range = ContentRange.parse("bytes 100-199/1000");
        assertEquals(new ContentRange(100, 199, OptionalLong.of(1000)), range);
        assertEquals(100, range.length());
        assertEquals(1000, range.impliedTotal());
        assertEquals("bytes 100-199/1000", range.toString());
    }

    @Test
    void anUnknownTotalIsEmptyAndImpliesTheEndOfTheRange() {
        ContentRange range = ContentRange.parse("  bytes  5-9/*\t");
        assertEquals(OptionalLong.empty(), range.total());
        assertEquals(10, range.impliedTotal());
        assertEquals("bytes 5-9/*", range.toString());
    }

    @Test
    void malformedValuesAreRejected() {
        for (String value : new String[]{"", "bytes", "bytes 1-2", "bytes=1-2/3", "Bytes 1-2/3", "bytes -1-2/3",
                "bytes 1-/3", "bytes 1-2/", "bytes */3", "items 1-2/3", "bytes 1-2/3 extra"}) {
            assertThrows(IllegalArgumentException.class, () -> ContentRange.parse(value), value);
        }
    }

    @Test
    void impossibleRangesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ContentRange.parse("bytes 5-4/10"), "end before start");
        assertThrows(IllegalArgumentException.class, () -> ContentRange.parse("bytes 0-10/10"), "beyond the total");
        assertThrows(IllegalArgumentException.class, () -> new ContentRange(-1, 4, OptionalLong.of(10)));
    }

    @Test
    void numbersTooLargeForALongAreRejectedAsMalformed() {
        assertThrows(IllegalArgumentException.class, () -> ContentRange.parse("bytes 0-99999999999999999999/*"));
        assertThrows(IllegalArgumentException.class, () -> ContentRange.parseUnsatisfied("bytes */99999999999999999999"));
    }

    @Test
    void theUnsatisfiedFormStatesOnlyTheTotal() {
        assertEquals(1234, ContentRange.parseUnsatisfied(" bytes */1234 "));
        assertThrows(IllegalArgumentException.class, () -> ContentRange.parseUnsatisfied("bytes 0-1/1234"));
        assertThrows(IllegalArgumentException.class, () -> ContentRange.parseUnsatisfied("bytes */*"));
    }

    @Test
    void theFirstByteAloneIsARangeOfOneByte() {
        ContentRange range = ContentRange.parse("bytes 0-0/1");
        assertEquals(new ContentRange(0, 0, OptionalLong.of(1)), range);
        assertEquals(1, range.length());
        assertEquals(1, range.impliedTotal());
    }
}
