package dev.skyloader.domain.delta;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Md4Test {
    /** The test suite of RFC 1320, appendix A.5. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|31d6cfe0d16ae931b73c59d7e0c089c0",
            "a|bde52cb31de33e46245e05fbdbd6fb24",
            "abc|a448017aaf21d8525fc10ae87aa6729d",
            "message digest|d9130a8164549fe818874806e1c7014b",
            "abcdefghijklmnopqrstuvwxyz|d79e1c308aa5bbcdeea8ed63df412da9",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789|043f8582f241db351ce627e153e7f0e4",
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890|"
                    + "e33b4ddc9c38f2199c3e7b164fcc0536"})
    void theVectorsOfRfc1320(String message, String md4) {
        byte[] bytes = message.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(md4, HexFormat.of().formatHex(Md4.digest(bytes, 0, bytes.length)));
    }

    @Test
    void feedingInPiecesGivesTheSameDigestAsAtOnce() {
        byte[] data = new byte[10_000];
        new SplittableRandom(4).nextBytes(data);
        byte[] whole = Md4.digest(data, 0, data.length);
        for (int step : new int[]{1, 7, 55, 56, 63, 64, 65, 4096}) {
            Md4 md4 = new Md4();
            for (int at = 0; at < data.length; at += step) {
                md4.update(data, at, Math.min(step, data.length - at));
            }
            assertArrayEquals(whole, md4.finish(), "step " + step);
        }
    }

    @Test
    void aDigestOfPartOfAnArrayReadsOnlyThatPart() {
        byte[] data = "xxabcyy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("a448017aaf21d8525fc10ae87aa6729d", HexFormat.of().formatHex(Md4.digest(data, 2, 3)));
        assertThrows(IndexOutOfBoundsException.class, () -> Md4.digest(data, 5, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Md4.digest(data, -1, 1));
    }
}
