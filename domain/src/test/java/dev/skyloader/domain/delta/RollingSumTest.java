package dev.skyloader.domain.delta;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RollingSumTest {
    @Test
    void rollingOnGivesTheSumOfTheWindowItMovedTo() {
        byte[] data = new byte[5000];
        new SplittableRandom(9).nextBytes(data);
        int size = 1024;
        int sum = RollingSum.of(data, 0, size);
        for (int at = 1; at + size <= data.length; at++) {
            sum = RollingSum.roll(sum, data[at - 1], data[at + size - 1], 10);
            assertEquals(RollingSum.of(data, at, size), sum, "at " + at);
        }
    }

    @Test
    void theTwoSumsAreOfTheBytesAndOfTheBytesWeightedByTheirDistanceFromTheEnd() {
        byte[] data = {1, 2, (byte) 255};
        // a = 1 + 2 + 255, b = 3*1 + 2*2 + 1*255
        assertEquals(258 << 16 | 262, RollingSum.of(data, 0, 3));
        byte[] many = new byte[1024];
        java.util.Arrays.fill(many, (byte) 255);
        // Both sums wrap at 16 bits: a = 1024*255 mod 65536, b = 255 * (1024*1025/2) mod 65536
        assertEquals((1024 * 255 & 0xffff) << 16 | 255 * (1024 * 1025 / 2) & 0xffff, RollingSum.of(many, 0, 1024));
    }
}
