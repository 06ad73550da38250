package dev.skyloader.domain.delta;

/**
 * zsync's rolling checksum of a block: two 16-bit sums, {@code a} of the bytes and {@code b} of the bytes weighted by
 * their distance from the block's end, packed as {@code a << 16 | b} (the order a control file stores them in, big
 * endian). Rolling one byte on costs two additions, so every offset of a seed can be tried.
 */
public final class RollingSum {
    private RollingSum() {
    }

    /** The sum of {@code length} bytes from {@code offset}. */
    public static int of(byte[] data, int offset, int length) {
        int a = 0;
        int b = 0;
        for (int i = 0; i < length; i++) {
            int c = data[offset + i] & 0xff;
            a += c;
            b += (length - i) * c;
        }
        return pack(a, b);
    }

    /**
     * The sum of the window one byte further on: {@code out} leaves it, {@code in} enters it; the window is
     * {@code 1 << shift} bytes.
     */
    public static int roll(int sum, byte out, byte in, int shift) {
        int a = (sum >>> 16) + (in & 0xff) - (out & 0xff);
        int b = (sum & 0xffff) + a - ((out & 0xff) << shift);
        return pack(a, b);
    }

    private static int pack(int a, int b) {
        return (a & 0xffff) << 16 | b & 0xffff;
    }
}
