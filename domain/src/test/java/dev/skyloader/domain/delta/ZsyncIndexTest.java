package dev.skyloader.domain.delta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZsyncIndexTest {
    /**
     * {@code fixture.bin.zsync} was made by zsyncmake 0.6.2 (Debian's zsync package):
     * {@code zsyncmake -b 2048 -u fixture.bin -o fixture.bin.zsync fixture.bin}, with fixture.bin the 100,000 bytes
     * of {@link #fixture()}.
     */
    static byte[] fixture() {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + (i >> 8) * 13 + ((long) i * i >> 12));
        }
        return data;
    }

    static byte[] fixtureIndex() throws Exception {
        try (InputStream in = ZsyncIndexTest.class.getResourceAsStream("/zsync/fixture.bin.zsync")) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsWhatZsyncmakeWrote() throws Exception {
        ZsyncIndex index = ZsyncIndex.parse(fixtureIndex());
        assertEquals(2048, index.blockSize());
        assertEquals(100_000, index.length());
        assertEquals(49, index.blocks());
        assertEquals(2, index.seqMatches());
        assertEquals(2, index.rsumBytes());
        assertEquals(4, index.checksumBytes());
        assertEquals(0xffff, index.rsumMask());
        assertEquals("2981121dd5b9cd03679c0f07c6a15cfdb50e57fe", index.sha1().orElseThrow());
        assertEquals("fixture.bin", index.filename().orElseThrow());
        assertEquals(2048, index.blockLength(0));
        assertEquals(100_000 - 48 * 2048, index.blockLength(48));
        byte[] data = fixture();
        for (int i = 0; i < index.blocks(); i++) {
            byte[] block = Arrays.copyOf(Arrays.copyOfRange(data, i * 2048, i * 2048 + index.blockLength(i)), 2048);
            assertEquals(index.rsum(i), RollingSum.of(block, 0, 2048) & index.rsumMask(), "rsum of block " + i);
            assertTrue(index.checksumMatches(i, Md4.digest(block, 0, 2048)), "MD4 of block " + i);
        }
        block0IsNotBlock1(index, data);
    }

    private static void block0IsNotBlock1(ZsyncIndex index, byte[] data) {
        assertFalse(index.checksumMatches(1, Md4.digest(data, 0, 2048)));
        assertFalse(index.sameSums(0, 1));
        assertTrue(index.sameSums(3, 3));
    }

    @Test
    void writesTheBlockSumsZsyncmakeWrites() throws Exception {
        byte[] data = fixture();
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(2048);
        for (int at = 0; at < data.length; at += 2048) {
            writer.block(data, at, Math.min(2048, data.length - at));
        }
        assertEquals(100_000, writer.length());
        byte[] ours = writer.finish("fixture.bin", "fixture.bin", "Thu, 26 Nov 2026 01:01:12 +0000",
                "2981121DD5B9CD03679C0F07C6A15CFDB50E57FE");
        // Byte for byte what zsyncmake wrote, its MTime line included (the same one given here).
        assertArrayEquals(fixtureIndex(), ours);
    }

    @Test
    void theWriterTakesWholeBlocksButForTheLast() {
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(16);
        writer.block(new byte[16], 0, 16);
        writer.block(new byte[16], 0, 5);
        assertThrows(IllegalStateException.class, () -> writer.block(new byte[16], 0, 16));
        assertThrows(IllegalStateException.class, () -> new ZsyncIndex.Writer(16).block(new byte[32], 0, 17));
        assertThrows(IllegalArgumentException.class, () -> new ZsyncIndex.Writer(48));
        assertThrows(IllegalArgumentException.class, () -> new ZsyncIndex.Writer(8));
        ZsyncIndex index = ZsyncIndex.parse(writer.finish("x", "x", "now", "0".repeat(40)));
        assertEquals(21, index.length());
        assertEquals(2, index.blocks());
        assertEquals(5, index.blockLength(1));
        assertTrue(index.sameSums(0, 0));
    }

    /** Hash lengths zsyncmake 0.6.2 chose for files of these lengths (all zeros; the length alone decides). */
    @ParameterizedTest
    @CsvSource({"1000,2048,1,2,4", "1000,4096,1,2,4", "5000,2048,2,2,3", "5000,4096,2,2,3", "100000,2048,2,2,4",
            "1000000,4096,2,2,4", "50000000,2048,2,2,5", "50000000,4096,2,2,5", "1073741824,4096,2,3,5"})
    void choosesTheHashLengthsZsyncmakeChooses(long length, int blockSize, int seq, int rsum, int checksum) {
        assertArrayEquals(new int[]{seq, rsum, checksum}, ZsyncIndex.hashLengths(length, blockSize));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "hello|not a zsync control file (no header line)",
            "Filename: x\\n\\n|not a zsync control file (it does not start with \"zsync: \")",
            "zsync: 0.6.2\\nBlocksize: 2048\\n|the header does not end with a blank line",
            "zsync: 0.6.2\\nnonsense\\n\\n|not a header line: \"nonsense\"",
            "zsync: 0.6.2\\nLength: 1\\nHash-Lengths: 1,2,4\\n\\n|the header Blocksize is missing",
            "zsync: 0.6.2\\nBlocksize: 3000\\nLength: 1\\nHash-Lengths: 1,2,4\\n\\n|Blocksize 3000 is not a power of two",
            "zsync: 0.6.2\\nBlocksize: 2048\\nHash-Lengths: 1,2,4\\n\\n|the header Length is missing",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: -5\\nHash-Lengths: 1,2,4\\n\\n|Length is not a number: -5",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\n\\n|the header Hash-Lengths is missing",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2\\n\\n"
                    + "|Hash-Lengths must be seq_matches,rsum_bytes,checksum_bytes, got 1,2",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 3,2,4\\n\\n"
                    + "|Hash-Lengths seq_matches must be between 1 and 2, got 3",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,5,4\\n\\n"
                    + "|Hash-Lengths rsum_bytes must be between 1 and 4, got 5",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2,2\\n\\n"
                    + "|Hash-Lengths checksum_bytes must be between 3 and 16, got 2",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2,4\\nSHA-1: xyz\\n\\n"
                    + "|SHA-1 is not 40 hex digits: xyz",
            "zsync: 0.6.2\\nBlocksize: 2048\\nBlocksize: 2048\\n\\n|the header Blocksize appears twice",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2,4\\nFancy: yes\\n\\n"
                    + "|unknown header Fancy (not listed as Safe)",
            "zsync: 0.6.2\\nZ-Map2: 10\\nBlocksize: 2048\\n\\n"
                    + "|a compressed-mode control file (Z-Map2) describes a gzip file, not the artifact; make it"
                    + " with zsyncmake -Z or without -z",
            "zsync: 0.6.2\\nMin-Version: 0.7.0\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2,4\\n\\n"
                    + "|the control file needs zsync 0.7.0 or newer",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2,4\\n\\nabc"
                    + "|the control file has 3 bytes of block sums, not the 6 that 1 blocks of 2048 bytes need"
                    + " (truncated?)",
            "zsync: 0.6.2\\nBlocksize: 2048\\nLength: 1\\nHash-Lengths: 1,2,4\\n\\nabcdefg"
                    + "|the control file has 7 bytes of block sums, not the 6 that 1 blocks of 2048 bytes need"})
    void refusesAMalformedControlFileNamingTheProblem(String text, String message) {
        var e = assertThrows(ZsyncIndex.FormatException.class,
                () -> ZsyncIndex.parse(text.replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void takesAnUnknownHeaderListedAsSafeAndACrlfHeader() {
        byte[] ok = ("zsync: 0.6.2\r\nSafe: Fancy Other\r\nFancy: yes\r\nBlocksize: 16\r\nLength: 0\r\n"
                + "Hash-Lengths: 1,2,4\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ZsyncIndex index = ZsyncIndex.parse(ok);
        assertEquals(0, index.blocks());
        assertTrue(index.sha1().isEmpty());
    }

    @Test
    void aTruncatedFixtureIsRefused() throws Exception {
        byte[] whole = fixtureIndex();
        for (int cut : new int[]{1, 10, 100, 200}) {
            byte[] shorter = Arrays.copyOf(whole, whole.length - cut);
            assertThrows(ZsyncIndex.FormatException.class, () -> ZsyncIndex.parse(shorter), "cut " + cut);
        }
        assertThrows(ZsyncIndex.FormatException.class, () -> ZsyncIndex.parse(new byte[ZsyncIndex.MAX_BYTES + 1]));
    }

    private static String header(String extra) {
        return "zsync: 0.6.2\n" + extra + "Blocksize: 16\nLength: 0\nHash-Lengths: 1,2,4\n\n";
    }

    @ParameterizedTest
    @CsvSource({"0.6.2", "0.6", "0.5.9", "0.6.1.9", "0.6.2.0"})
    void takesAMinimumVersionUpToItsOwn(String version) {
        assertEquals(0, ZsyncIndex.parse(header("Min-Version: " + version + "\n")
                .getBytes(StandardCharsets.ISO_8859_1)).blocks());
    }

    @ParameterizedTest
    @CsvSource({"0.6.3", "0.7", "1.0", "0.6.10", "0.6.2.1"})
    void refusesAMinimumVersionAboveItsOwn(String version) {
        var e = assertThrows(ZsyncIndex.FormatException.class, () -> ZsyncIndex.parse(
                header("Min-Version: " + version + "\n").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("the control file needs zsync " + version + " or newer", e.getMessage());
    }

    @Test
    void aLongOrUnprintableHeaderIsShownShortAndPrintable() {
        String name = "X".repeat(70);
        var e = assertThrows(ZsyncIndex.FormatException.class, () -> ZsyncIndex.parse(
                header(name + ": 1\n").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("unknown header " + "X".repeat(60) + "... (not listed as Safe)", e.getMessage());
        var control = assertThrows(ZsyncIndex.FormatException.class, () -> ZsyncIndex.parse(
                header("A\u0001\u007fB: 1\n").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("unknown header A??B (not listed as Safe)", control.getMessage());
        var exact = assertThrows(ZsyncIndex.FormatException.class, () -> ZsyncIndex.parse(
                header("Y".repeat(60) + ": 1\n").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("unknown header " + "Y".repeat(60) + " (not listed as Safe)", exact.getMessage());
    }

    @Test
    void manyBlocksAreWrittenAndReadBack() {
        byte[] data = new byte[16 * 2500 + 3];
        new java.util.SplittableRandom(3).nextBytes(data);
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(16);
        for (int at = 0; at < data.length; at += 16) {
            writer.block(data, at, Math.min(16, data.length - at));
        }
        ZsyncIndex index = ZsyncIndex.parse(writer.finish("m", "m", null, "0".repeat(40)));
        assertEquals(2501, index.blocks());
        for (int i : new int[]{0, 1023, 1024, 1025, 2047, 2048, 2499, 2500}) {
            byte[] block = Arrays.copyOf(Arrays.copyOfRange(data, i * 16, Math.min(data.length, i * 16 + 16)), 16);
            assertEquals(RollingSum.of(block, 0, 16) & index.rsumMask(), index.rsum(i), "block " + i);
            assertTrue(index.checksumMatches(i, Md4.digest(block, 0, 16)), "block " + i);
        }
        assertEquals(3, index.blockLength(2500));
        assertTrue(index.toString().contains("2501 blocks of 16"), index.toString());
        assertThrows(IllegalArgumentException.class, () -> writer.finish("a\nb", "m", null, "0".repeat(40)));
        assertThrows(IllegalArgumentException.class, () -> writer.finish("m", "m\r", null, "0".repeat(40)));
    }

    @Test
    void aWriterToldTheLengthUpFrontWritesTheSameFileKeepingOnlyWhatItKeeps() throws Exception {
        byte[] data = fixture();
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(2048, data.length);
        for (int at = 0; at < data.length; at += 2048) {
            writer.block(data, at, Math.min(2048, data.length - at));
        }
        assertArrayEquals(fixtureIndex(), writer.finish("fixture.bin", "fixture.bin",
                "Thu, 26 Nov 2026 01:01:12 +0000", "2981121dd5b9cd03679c0f07c6a15cfdb50e57fe"));
        ZsyncIndex.Writer shorter = new ZsyncIndex.Writer(2048, data.length + 1);
        shorter.block(data, 0, 2048);
        assertThrows(IllegalStateException.class, () -> shorter.finish("f", "f", null, "0".repeat(40)));
    }
}
