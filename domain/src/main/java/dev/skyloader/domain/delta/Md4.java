package dev.skyloader.domain.delta;

import java.util.Arrays;

/**
 * MD4 (RFC 1320), the strong block checksum of zsync control files. MD4 is broken as a cryptographic hash and is used
 * here only as zsync uses it: to confirm a block that its rolling sum already matched; the artifact itself is
 * checked with SHA-256 before anything is used. Not in the JDK's public providers, hence this small implementation.
 */
public final class Md4 {
    private static final int BLOCK = 64;

    private int a = 0x67452301;
    private int b = 0xefcdab89;
    private int c = 0x98badcfe;
    private int d = 0x10325476;
    private final byte[] pending = new byte[BLOCK];
    private int pendingLength;
    private long total;
    private final int[] x = new int[16];

    /** The 16-byte MD4 of {@code length} bytes of {@code data} from {@code offset}. */
    public static byte[] digest(byte[] data, int offset, int length) {
        Md4 md4 = new Md4();
        md4.update(data, offset, length);
        return md4.finish();
    }

    public void update(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + data.length);
        }
        total += length;
        if (pendingLength > 0) {
            int take = Math.min(length, BLOCK - pendingLength);
            System.arraycopy(data, offset, pending, pendingLength, take);
            pendingLength += take;
            offset += take;
            length -= take;
            if (pendingLength < BLOCK) {
                return;
            }
            process(pending, 0);
            pendingLength = 0;
        }
        while (length >= BLOCK) {
            process(data, offset);
            offset += BLOCK;
            length -= BLOCK;
        }
        System.arraycopy(data, offset, pending, 0, length);
        pendingLength = length;
    }

    /** The digest of everything fed; the instance is spent afterwards. */
    public byte[] finish() {
        long bits = total * 8;
        byte[] padding = new byte[(pendingLength < 56 ? 56 : 120) - pendingLength + 8];
        padding[0] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            padding[padding.length - 8 + i] = (byte) (bits >>> (8 * i));
        }
        long before = total;
        update(padding, 0, padding.length);
        total = before;
        byte[] out = new byte[16];
        int[] words = {a, b, c, d};
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                out[4 * i + j] = (byte) (words[i] >>> (8 * j));
            }
        }
        Arrays.fill(pending, (byte) 0);
        return out;
    }

    private void process(byte[] block, int offset) {
        for (int i = 0; i < 16; i++) {
            int p = offset + 4 * i;
            x[i] = (block[p] & 0xff) | (block[p + 1] & 0xff) << 8 | (block[p + 2] & 0xff) << 16
                    | (block[p + 3] & 0xff) << 24;
        }
        int aa = a;
        int bb = b;
        int cc = c;
        int dd = d;
        // Round 1
        for (int i = 0; i < 16; i += 4) {
            aa = Integer.rotateLeft(aa + f(bb, cc, dd) + x[i], 3);
            dd = Integer.rotateLeft(dd + f(aa, bb, cc) + x[i + 1], 7);
            cc = Integer.rotateLeft(cc + f(dd, aa, bb) + x[i + 2], 11);
            bb = Integer.rotateLeft(bb + f(cc, dd, aa) + x[i + 3], 19);
        }
        // Round 2
        for (int i = 0; i < 4; i++) {
            aa = Integer.rotateLeft(aa + g(bb, cc, dd) + x[i] + 0x5a827999, 3);
            dd = Integer.rotateLeft(dd + g(aa, bb, cc) + x[i + 4] + 0x5a827999, 5);
            cc = Integer.rotateLeft(cc + g(dd, aa, bb) + x[i + 8] + 0x5a827999, 9);
            bb = Integer.rotateLeft(bb + g(cc, dd, aa) + x[i + 12] + 0x5a827999, 13);
        }
        // Round 3
        int[] order = {0, 2, 1, 3};
        for (int i : order) {
            aa = Integer.rotateLeft(aa + h(bb, cc, dd) + x[i] + 0x6ed9eba1, 3);
            dd = Integer.rotateLeft(dd + h(aa, bb, cc) + x[i + 8] + 0x6ed9eba1, 9);
            cc = Integer.rotateLeft(cc + h(dd, aa, bb) + x[i + 4] + 0x6ed9eba1, 11);
            bb = Integer.rotateLeft(bb + h(cc, dd, aa) + x[i + 12] + 0x6ed9eba1, 15);
        }
        a += aa;
        b += bb;
        c += cc;
        d += dd;
    }

    private static int f(int x, int y, int z) {
        return x & y | ~x & z;
    }

    private static int g(int x, int y, int z) {
        return x & y | x & z | y & z;
    }

    private static int h(int x, int y, int z) {
        return x ^ y ^ z;
    }
}
