package dev.skyloader.domain.delta;

import java.util.Arrays;

/**
 * MD4 (RFC 1320), the strong block checksum of zsync control files. MD4 is broken as a cryptographic hash and is used
 * here only as zsync uses it: to confirm a block that its rolling sum already matched; the artifact itself is
 * checked with SHA-256 before anything is used. Not in the JDK's public providers, hence this small implementation.
 */
public final class Md4 {
    private static final int BLOCK = 64;

    private final int[] state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    private final byte[] pending = new byte[BLOCK];
    private int pendingLength;
    private long total;

    /** The 16-byte MD4 of {@code length} bytes of {@code data} from {@code offset}. */
    public static byte[] digest(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + data.length);
        }
        // The whole message at hand: its blocks straight from the array, then the padded tail.
        int[] s = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
        int full = length / BLOCK * BLOCK;
        for (int at = 0; at < full; at += BLOCK) {
            compress(s, data, offset + at);
        }
        byte[] tail = new byte[2 * BLOCK];
        int rest = length - full;
        System.arraycopy(data, offset + full, tail, 0, rest);
        tail[rest] = (byte) 0x80;
        int end = rest < 56 ? BLOCK : 2 * BLOCK;
        long bits = (long) length * 8;
        for (int i = 0; i < 8; i++) {
            tail[end - 8 + i] = (byte) (bits >>> (8 * i));
        }
        for (int at = 0; at < end; at += BLOCK) {
            compress(s, tail, at);
        }
        return bytesOf(s);
    }

    private static byte[] bytesOf(int[] s) {
        byte[] out = new byte[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                out[4 * i + j] = (byte) (s[i] >>> (8 * j));
            }
        }
        return out;
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
        Arrays.fill(pending, (byte) 0);
        return bytesOf(state);
    }

    private void process(byte[] block, int offset) {
        compress(state, block, offset);
    }

    private static int le(byte[] b, int p) {
        return b[p] & 0xff | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
    }

    /** One 64-byte block into the state {@code s} (a, b, c, d); the three rounds of RFC 1320 written out. */
    private static void compress(int[] s, byte[] block, int offset) {
        int x0 = le(block, offset + 0);
        int x1 = le(block, offset + 4);
        int x2 = le(block, offset + 8);
        int x3 = le(block, offset + 12);
        int x4 = le(block, offset + 16);
        int x5 = le(block, offset + 20);
        int x6 = le(block, offset + 24);
        int x7 = le(block, offset + 28);
        int x8 = le(block, offset + 32);
        int x9 = le(block, offset + 36);
        int x10 = le(block, offset + 40);
        int x11 = le(block, offset + 44);
        int x12 = le(block, offset + 48);
        int x13 = le(block, offset + 52);
        int x14 = le(block, offset + 56);
        int x15 = le(block, offset + 60);
        int a = s[0];
        int b = s[1];
        int c = s[2];
        int d = s[3];
        a = Integer.rotateLeft(a + ((b & c) | (~b & d)) + x0, 3);
        d = Integer.rotateLeft(d + ((a & b) | (~a & c)) + x1, 7);
        c = Integer.rotateLeft(c + ((d & a) | (~d & b)) + x2, 11);
        b = Integer.rotateLeft(b + ((c & d) | (~c & a)) + x3, 19);
        a = Integer.rotateLeft(a + ((b & c) | (~b & d)) + x4, 3);
        d = Integer.rotateLeft(d + ((a & b) | (~a & c)) + x5, 7);
        c = Integer.rotateLeft(c + ((d & a) | (~d & b)) + x6, 11);
        b = Integer.rotateLeft(b + ((c & d) | (~c & a)) + x7, 19);
        a = Integer.rotateLeft(a + ((b & c) | (~b & d)) + x8, 3);
        d = Integer.rotateLeft(d + ((a & b) | (~a & c)) + x9, 7);
        c = Integer.rotateLeft(c + ((d & a) | (~d & b)) + x10, 11);
        b = Integer.rotateLeft(b + ((c & d) | (~c & a)) + x11, 19);
        a = Integer.rotateLeft(a + ((b & c) | (~b & d)) + x12, 3);
        d = Integer.rotateLeft(d + ((a & b) | (~a & c)) + x13, 7);
        c = Integer.rotateLeft(c + ((d & a) | (~d & b)) + x14, 11);
        b = Integer.rotateLeft(b + ((c & d) | (~c & a)) + x15, 19);
        a = Integer.rotateLeft(a + ((b & c) | (b & d) | (c & d)) + x0 + 0x5a827999, 3);
        d = Integer.rotateLeft(d + ((a & b) | (a & c) | (b & c)) + x4 + 0x5a827999, 5);
        c = Integer.rotateLeft(c + ((d & a) | (d & b) | (a & b)) + x8 + 0x5a827999, 9);
        b = Integer.rotateLeft(b + ((c & d) | (c & a) | (d & a)) + x12 + 0x5a827999, 13);
        a = Integer.rotateLeft(a + ((b & c) | (b & d) | (c & d)) + x1 + 0x5a827999, 3);
        d = Integer.rotateLeft(d + ((a & b) | (a & c) | (b & c)) + x5 + 0x5a827999, 5);
        c = Integer.rotateLeft(c + ((d & a) | (d & b) | (a & b)) + x9 + 0x5a827999, 9);
        b = Integer.rotateLeft(b + ((c & d) | (c & a) | (d & a)) + x13 + 0x5a827999, 13);
        a = Integer.rotateLeft(a + ((b & c) | (b & d) | (c & d)) + x2 + 0x5a827999, 3);
        d = Integer.rotateLeft(d + ((a & b) | (a & c) | (b & c)) + x6 + 0x5a827999, 5);
        c = Integer.rotateLeft(c + ((d & a) | (d & b) | (a & b)) + x10 + 0x5a827999, 9);
        b = Integer.rotateLeft(b + ((c & d) | (c & a) | (d & a)) + x14 + 0x5a827999, 13);
        a = Integer.rotateLeft(a + ((b & c) | (b & d) | (c & d)) + x3 + 0x5a827999, 3);
        d = Integer.rotateLeft(d + ((a & b) | (a & c) | (b & c)) + x7 + 0x5a827999, 5);
        c = Integer.rotateLeft(c + ((d & a) | (d & b) | (a & b)) + x11 + 0x5a827999, 9);
        b = Integer.rotateLeft(b + ((c & d) | (c & a) | (d & a)) + x15 + 0x5a827999, 13);
        a = Integer.rotateLeft(a + (b ^ c ^ d) + x0 + 0x6ed9eba1, 3);
        d = Integer.rotateLeft(d + (a ^ b ^ c) + x8 + 0x6ed9eba1, 9);
        c = Integer.rotateLeft(c + (d ^ a ^ b) + x4 + 0x6ed9eba1, 11);
        b = Integer.rotateLeft(b + (c ^ d ^ a) + x12 + 0x6ed9eba1, 15);
        a = Integer.rotateLeft(a + (b ^ c ^ d) + x2 + 0x6ed9eba1, 3);
        d = Integer.rotateLeft(d + (a ^ b ^ c) + x10 + 0x6ed9eba1, 9);
        c = Integer.rotateLeft(c + (d ^ a ^ b) + x6 + 0x6ed9eba1, 11);
        b = Integer.rotateLeft(b + (c ^ d ^ a) + x14 + 0x6ed9eba1, 15);
        a = Integer.rotateLeft(a + (b ^ c ^ d) + x1 + 0x6ed9eba1, 3);
        d = Integer.rotateLeft(d + (a ^ b ^ c) + x9 + 0x6ed9eba1, 9);
        c = Integer.rotateLeft(c + (d ^ a ^ b) + x5 + 0x6ed9eba1, 11);
        b = Integer.rotateLeft(b + (c ^ d ^ a) + x13 + 0x6ed9eba1, 15);
        a = Integer.rotateLeft(a + (b ^ c ^ d) + x3 + 0x6ed9eba1, 3);
        d = Integer.rotateLeft(d + (a ^ b ^ c) + x11 + 0x6ed9eba1, 9);
        c = Integer.rotateLeft(c + (d ^ a ^ b) + x7 + 0x6ed9eba1, 11);
        b = Integer.rotateLeft(b + (c ^ d ^ a) + x15 + 0x6ed9eba1, 15);
        s[0] += a;
        s[1] += b;
        s[2] += c;
        s[3] += d;
    }

}
