package dev.skyloader.application.service;

import dev.skyloader.domain.delta.Md4;
import dev.skyloader.domain.delta.RollingSum;
import dev.skyloader.domain.delta.ZsyncIndex;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.BitSet;
import static java.util.Objects.requireNonNull;

/**
 * Finds the blocks of a zsync control file in local files, as zsync does: the rolling sum of the window at every
 * offset of a seed is looked up among the blocks' sums (with {@code seq_matches} 2, the sums of two consecutive
 * blocks together, so that a truncated sum rarely matches by chance), and a hit is confirmed with MD4. Blocks that
 * moved are found wherever they are. After a match the next block is tried right behind it first, so a seed that
 * is mostly the new version costs about one MD4 per block. One pass over each seed, in bounded memory.
 */
final class SeedScanner {
    /** Where a found block goes: {@code length} bytes of the artifact's plaintext at {@code offset}. */
    interface Found {
        void block(long offset, byte[] data, int from, int length) throws IOException;
    }

    private static final int BUFFER = 8 << 20;
    private static final int READ = 1 << 20;

    private final ZsyncIndex index;
    private final int blockSize;
    private final int shift;
    private final int mask;
    private final int seq;
    private final int blocks;
    /** Blocks found; sized for all of them up front, so that a set never reallocates under a reader. */
    private final BitSet known;
    private volatile int foundCount;
    /** Open addressing: the first block of each key (its slot's key), and a chain of the blocks sharing it. */
    private final int[] heads;
    private final int[] chain;
    /** A cheap first test: most offsets of a seed match nothing, and one bit says so. */
    private final long[] filter;
    private final int filterMask;
    /**
     * Blocks with the same rolling sum, as rings: the next in each block's ring. Blocks with the same sums (the same
     * content) are found together; found ones are unlinked as they are met.
     */
    private final int[] twinNext;
    private long reused;

    private final int bufferSize;

    SeedScanner(ZsyncIndex index) {
        this(index, BUFFER);
    }

    /** With a read buffer of {@code bufferSize} bytes (at least four windows): tests make it small. */
    SeedScanner(ZsyncIndex index, int bufferSize) {
        this.bufferSize = bufferSize;
        this.index = requireNonNull(index, "index is null");
        this.blockSize = index.blockSize();
        this.shift = Integer.numberOfTrailingZeros(blockSize);
        this.mask = index.rsumMask();
        this.seq = index.seqMatches();
        this.blocks = index.blocks();
        this.known = new BitSet(Math.max(1, blocks));
        // At most two thirds full. A slot's key is that of its first block, which stays there: no key array, and a
        // slot never empties (a probe for another key never stops short at it).
        int capacity = Integer.highestOneBit(Math.max(16, blocks + blocks / 2)) * 2;
        heads = new int[capacity];
        Arrays.fill(heads, -1);
        chain = new int[blocks];
        Arrays.fill(chain, -1);
        int filterBits = Math.max(1 << 16, Integer.highestOneBit(Math.max(1, blocks)) << 4);
        filter = new long[filterBits / 64];
        filterMask = filterBits - 1;
        for (int i = blocks - 1; i >= 0; i--) {
            long key = keyOfBlock(i);
            int slot = slotOf(key);
            if (heads[slot] >= 0) {
                // Behind the first block of its slot, which stays first.
                chain[i] = chain[heads[slot]];
                chain[heads[slot]] = i;
            } else {
                heads[slot] = i;
            }
            int bit = filterBit(key);
            filter[bit >>> 6] |= 1L << bit;
        }
        // Rings of the blocks with the same rolling sum, made by sorting (no map of boxed numbers: a control file
        // of a million blocks must fit a small heap).
        twinNext = new int[blocks];
        long[] sorted = new long[blocks];
        for (int i = 0; i < blocks; i++) {
            sorted[i] = (long) index.rsum(i) << 32 | i;
        }
        Arrays.sort(sorted);
        int first = 0;
        for (int k = 0; k < blocks; k++) {
            boolean last = k + 1 == blocks || sorted[k + 1] >>> 32 != sorted[k] >>> 32;
            twinNext[(int) sorted[k]] = last ? (int) sorted[first] : (int) sorted[k + 1];
            if (last) {
                first = k + 1;
            }
        }
    }

    /** Blocks found so far, in all seeds. */
    synchronized BitSet known() {
        return (BitSet) known.clone();
    }

    /** Plaintext bytes of the blocks found so far. */
    synchronized long reused() {
        return reused;
    }

    boolean complete() {
        return foundCount == blocks;
    }

    /**
     * Reads {@code seed} to its end and hands every block found in it, not found before, to {@code found}. Blocks
     * already in the part ({@code skip}) are not handed on, but count as found.
     */
    void scan(InputStream seed, BitSet skip, Found found) throws IOException, InterruptedException {
        scan(seed, Long.MAX_VALUE, skip, found);
    }

    /**
     * As {@link #scan(InputStream, BitSet, Found)}, for the windows that start in the first {@code windows} bytes of
     * {@code seed} only (it reads a little further, for the last windows): several threads can each scan a share of
     * one seed, each from its own stream, into one scanner. {@code found} is called on this thread.
     */
    void scan(InputStream seed, long windows, BitSet skip, Found found) throws IOException, InterruptedException {
        if (blocks == 0 || complete()) {
            return;
        }
        long base = 0;
        int span = seq * blockSize;
        byte[] buf = new byte[Math.max(bufferSize, 4 * span)];
        int filled = 0;
        int pos = 0;
        boolean eof = false;
        boolean padded = false;
        boolean valid = false;
        int r1 = 0;
        int r2 = 0;
        int expect = -1;
        byte[] md1 = null;
        long checked = 0;
        while (true) {
            if (pos + span + 1 > filled && !padded) {
                // Keep the window, read on; room is always left for the padding.
                System.arraycopy(buf, pos, buf, 0, filled - pos);
                filled -= pos;
                base += pos;
                pos = 0;
                while (!eof && filled < buf.length - (span + 1)) {
                    // A MiB at a time: a larger read costs the stream a temporary buffer as large.
                    int n = seed.read(buf, filled, Math.min(READ, buf.length - (span + 1) - filled));
                    if (n < 0) {
                        eof = true;
                    } else {
                        filled += n;
                    }
                }
                if (eof) {
                    // Zeros after the end, as zsync pads: the artifact's short last block is summed padded.
                    Arrays.fill(buf, filled, filled + span + 1, (byte) 0);
                    filled += span + 1;
                    padded = true;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("stopped while reading a seed");
                }
            }
            if (pos + span > filled || base + pos >= windows) {
                return;
            }
            int matched = -1;
            if (expect >= 0 && expect < blocks) {
                // The block after a match, right behind it: the MD4 alone decides (when it matches, as it mostly
                // does, the rolling sum would have too; the artifact's SHA-256 has the last word anyway).
                md1 = Md4.digest(buf, pos, blockSize);
                if (index.checksumMatches(expect, md1)) {
                    matched = expect;
                    take(expect, buf, pos, skip, found);
                }
            }
            if (matched < 0 && !valid) {
                r1 = RollingSum.of(buf, pos, blockSize);
                r2 = seq == 2 ? RollingSum.of(buf, pos + blockSize, blockSize) : 0;
                valid = true;
            }
            if (matched < 0) {
                long key = keyOf(r1 & mask, r2 & mask);
                int bit = filterBit(key);
                if ((filter[bit >>> 6] & 1L << bit) != 0) {
                    int first = lookUp(key, buf, pos, skip, found, md1);
                    if (first >= 0 && seq == 2 && first + 1 < blocks) {
                        // A pair: its second block was taken too, one block on.
                        matched = first + 1;
                        pos += blockSize;
                    } else {
                        matched = first;
                    }
                }
            }
            if (matched >= 0) {
                pos += blockSize;
                expect = matched + 1;
                valid = false;
                md1 = null;
                if (complete()) {
                    return;
                }
                continue;
            }
            expect = -1;
            if (pos + span + 1 > filled) {
                if (padded) {
                    return;
                }
                continue;
            }
            byte out = buf[pos];
            r1 = RollingSum.roll(r1, out, buf[pos + blockSize], shift);
            if (seq == 2) {
                r2 = RollingSum.roll(r2, buf[pos + blockSize], buf[pos + span], shift);
            }
            md1 = null;
            pos++;
            if ((++checked & 0xffffff) == 0 && Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while reading a seed");
            }
        }
    }

    /**
     * The window at {@code pos} passed the filter: the blocks with its sums, confirmed by MD4 (with {@code
     * seq_matches} 2, of both blocks of the pair). Returns the first block taken, or -1. Unlinks found blocks from the
     * chain as it meets them, so that repeated content does not walk it again.
     */
    private synchronized int lookUp(long key, byte[] buf, int pos, BitSet skip, Found found, byte[] md1)
            throws IOException {
        int slot = find(key);
        byte[] md2 = null;
        int previous = -1;
        for (int i = slot < 0 ? -1 : heads[slot]; i >= 0; i = chain[i]) {
            if (known.get(i) && (seq != 2 || i + 1 >= blocks || known.get(i + 1))) {
                // Found before, and the block after it too (a pair whose first block was found as another's twin
                // still brings its second): out of the chain (the first block stays: it holds the slot's key), so
                // that repeated content does not walk it again.
                if (previous >= 0) {
                    chain[previous] = chain[i];
                } else {
                    previous = i;
                }
                continue;
            }
            previous = i;
            if (md1 == null) {
                md1 = Md4.digest(buf, pos, blockSize);
            }
            if (!index.checksumMatches(i, md1)) {
                continue;
            }
            if (seq == 2 && i + 1 < blocks) {
                if (md2 == null) {
                    md2 = Md4.digest(buf, pos + blockSize, blockSize);
                }
                if (!index.checksumMatches(i + 1, md2)) {
                    continue;
                }
            }
            take(i, buf, pos, skip, found);
            if (seq == 2 && i + 1 < blocks) {
                take(i + 1, buf, pos + blockSize, skip, found);
            }
            return i;
        }
        return -1;
    }

    /** Block {@code i} is at {@code from}: it, and every block with the same sums, is found. */
    private synchronized void take(int i, byte[] data, int from, BitSet skip, Found found) throws IOException {
        if (known.get(i)) {
            // Found before, and its twins with it.
            return;
        }
        give(i, data, from, skip, found);
        int previous = i;
        for (int j = twinNext[i]; j != i; ) {
            int next = twinNext[j];
            if (!known.get(j) && index.sameSums(i, j)) {
                give(j, data, from, skip, found);
            }
            if (known.get(j)) {
                // Unlinked: a ring of many equal blocks is walked once, not once per block.
                twinNext[previous] = next;
            } else {
                previous = j;
            }
            j = next;
        }
    }

    private void give(int block, byte[] data, int from, BitSet skip, Found found) throws IOException {
        if (known.get(block)) {
            return;
        }
        known.set(block);
        foundCount++;
        int length = index.blockLength(block);
        reused += length;
        if (!skip.get(block)) {
            found.block((long) block * blockSize, data, from, length);
        }
    }

    private long keyOf(int first, int second) {
        return seq == 2 ? (long) first << 32 | second & 0xffffffffL : first & 0xffffffffL;
    }

    private long keyOfBlock(int i) {
        return keyOf(index.rsum(i), i + 1 < blocks ? index.rsum(i + 1) : 0);
    }

    private int slotOf(long key) {
        int slot = hash(key) & (heads.length - 1);
        while (heads[slot] >= 0 && keyOfBlock(heads[slot]) != key) {
            slot = (slot + 1) & (heads.length - 1);
        }
        return slot;
    }

    private int find(long key) {
        int slot = slotOf(key);
        return heads[slot] >= 0 ? slot : -1;
    }

    private int filterBit(long key) {
        return hash(key) >>> 7 & filterMask;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32);
    }
}
