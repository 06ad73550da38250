package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.domain.delta.ZsyncIndex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeedScannerTest {
    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    static ZsyncIndex indexOf(byte[] target, int blockSize) {
        ZsyncIndex.Writer writer = new ZsyncIndex.Writer(blockSize);
        for (int at = 0; at < target.length; at += blockSize) {
            writer.block(target, at, Math.min(blockSize, target.length - at));
        }
        return ZsyncIndex.parse(writer.finish("t", "t", "now", "0".repeat(40)));
    }

    /** What a scan puts where: the found blocks written over a copy that starts as all 0x5A. */
    private record Result(byte[] assembled, BitSet found, long reused, int calls) {
    }

    private static Result scan(ZsyncIndex index, BitSet skip, byte[]... seeds) throws Exception {
        return scan(new SeedScanner(index), index, skip, seeds);
    }

    private static Result scan(SeedScanner scanner, ZsyncIndex index, BitSet skip, byte[]... seeds)
            throws Exception {
        byte[] out = new byte[(int) index.length()];
        Arrays.fill(out, (byte) 0x5A);
        int[] calls = {0};
        for (byte[] seed : seeds) {
            // Small reads: the window must survive refills at any boundary.
            InputStream in = new ByteArrayInputStream(seed) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 777));
                }
            };
            scanner.scan(in, skip, (offset, data, from, length) -> {
                calls[0]++;
                System.arraycopy(data, from, out, (int) offset, length);
            });
        }
        return new Result(out, scanner.known(), scanner.reused(), calls[0]);
    }

    private static void assertFoundBlocksAreTheTargets(byte[] target, ZsyncIndex index, Result result) {
        for (int i = 0; i < index.blocks(); i++) {
            int start = i * index.blockSize();
            int end = start + index.blockLength(i);
            if (result.found().get(i)) {
                assertArrayEquals(Arrays.copyOfRange(target, start, end),
                        Arrays.copyOfRange(result.assembled(), start, end), "block " + i);
            }
        }
    }

    @Test
    void findsEveryBlockOfAnIdenticalSeed() throws Exception {
        byte[] target = random(100_000, 1);
        ZsyncIndex index = indexOf(target, 1024);
        Result result = scan(index, new BitSet(), target);
        assertEquals(index.blocks(), result.found().cardinality());
        assertArrayEquals(target, result.assembled());
        assertEquals(100_000, result.reused());
    }

    @Test
    void findsBlocksThatMovedAroundOverwritesInsertsAndDeletes() throws Exception {
        byte[] old = random(400_000, 2);
        ByteArrayOutputStream edited = new ByteArrayOutputStream();
        edited.write(old, 200_000, 100_000);          // a stretch moved to the front
        edited.write(random(3_000, 3), 0, 3_000);     // an insert
        edited.write(old, 0, 150_000);
        edited.write(old, 150_500, 49_500);           // 500 bytes deleted
        byte[] changed = Arrays.copyOfRange(old, 300_000, 400_000);
        System.arraycopy(random(2_000, 4), 0, changed, 50_000, 2_000); // an overwrite
        edited.write(changed, 0, changed.length);
        byte[] target = edited.toByteArray();
        ZsyncIndex index = indexOf(target, 2048);
        assertEquals(2, index.seqMatches());
        Result result = scan(index, new BitSet(), old);
        assertFoundBlocksAreTheTargets(target, index, result);
        // New bytes: the insert (3,000) and the overwrite (2,000), each costing up to two blocks at its edges, and
        // the blocks around the delete and the moves.
        long missing = target.length - result.reused();
        assertTrue(missing <= 12 * 2048, missing + " bytes not found");
        assertTrue(missing >= 5_000, "the new bytes cannot have been found: " + missing);
    }

    @Test
    void aSeedThatSharesNothingFindsNothing() throws Exception {
        byte[] target = random(200_000, 5);
        Result result = scan(indexOf(target, 2048), new BitSet(), random(300_000, 6));
        assertEquals(0, result.found().cardinality());
        assertEquals(0, result.calls());
        assertEquals(0, result.reused());
    }

    @Test
    void aShortLastBlockIsFoundAtTheEndOfASeedAndBlocksOfOneSeedAddToAnothers() throws Exception {
        byte[] target = random(50_000, 7);
        ZsyncIndex index = indexOf(target, 1024);
        byte[] head = Arrays.copyOf(target, 20_000);
        byte[] tail = Arrays.copyOfRange(target, 30_000, 50_000);
        Result result = scan(index, new BitSet(), head, tail);
        assertFoundBlocksAreTheTargets(target, index, result);
        int last = index.blocks() - 1;
        assertTrue(result.found().get(last), "the short last block, at the end of the second seed");
        assertTrue(result.found().get(0));
        assertFalse(result.found().get(25_000 / 1024), "a block in neither seed");
        assertTrue(result.reused() >= 38_000, "both seeds count: " + result.reused());
    }

    @Test
    void equalBlocksAreFoundTogetherAndBlocksAlreadyInThePartAreNotWrittenAgain() throws Exception {
        byte[] target = new byte[1 << 20];
        System.arraycopy(random(4096, 8), 0, target, 0, 4096);
        ZsyncIndex index = indexOf(target, 4096);
        BitSet skip = new BitSet();
        skip.set(10);
        byte[] seed = new byte[8192];
        System.arraycopy(target, 0, seed, 0, 4096);
        Result result = scan(index, skip, seed);
        assertEquals(index.blocks(), result.found().cardinality(), "256 blocks: one of data, 255 of zeros");
        assertEquals(index.blocks() - 1, result.calls(), "block 10 is in the part already");
        assertEquals(0x5A, result.assembled()[10 * 4096], "not written again");
        Arrays.fill(result.assembled(), 10 * 4096, 11 * 4096, (byte) 0);
        assertFoundBlocksAreTheTargets(target, index, result);
    }

    @Test
    void aSmallFileUsesSingleBlockMatches() throws Exception {
        byte[] target = random(1000, 9);
        ZsyncIndex index = indexOf(target, 1024);
        assertEquals(1, index.seqMatches());
        byte[] seed = new byte[3000];
        System.arraycopy(target, 0, seed, 1234, 1000);
        Result result = scan(index, new BitSet(), seed);
        // The block is summed padded with zeros; in the seed, zeros follow it too.
        assertArrayEquals(target, result.assembled());
    }

    @Test
    void anInterruptedScanStops() {
        byte[] target = random(100_000, 10);
        ZsyncIndex index = indexOf(target, 1024);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> new SeedScanner(index).scan(
                new ByteArrayInputStream(random(100_000, 11)), new BitSet(), (o, d, f, l) -> { }));
        assertFalse(Thread.interrupted());
    }

    @Test
    void twoThreadsEachScanningAHalfOfOneSeedFindWhatOneThreadFinds() throws Exception {
        byte[] old = random(2 << 20, 12);
        ByteArrayOutputStream edited = new ByteArrayOutputStream();
        for (int i = 0; i < 8; i++) {
            edited.write(old, i * (256 << 10), 256 << 10);
            edited.write(random(1000, 20 + i), 0, 1000);
        }
        byte[] target = edited.toByteArray();
        ZsyncIndex index = indexOf(target, 2048);
        Result whole = scan(index, new BitSet(), old);

        SeedScanner scanner = new SeedScanner(index);
        byte[] out = new byte[target.length];
        SeedScanner.Found into = (offset, data, from, length) -> {
            synchronized (out) {
                System.arraycopy(data, from, out, (int) offset, length);
            }
        };
        int half = old.length / 2 + 777;
        Exception[] failed = new Exception[1];
        Thread second = new Thread(() -> {
            try {
                ByteArrayInputStream in = new ByteArrayInputStream(old);
                in.skipNBytes(half);
                scanner.scan(in, new BitSet(), into);
            } catch (Exception e) {
                failed[0] = e;
            }
        });
        second.start();
        scanner.scan(new ByteArrayInputStream(old), half, new BitSet(), into);
        second.join();
        assertNull(failed[0]);
        assertEquals(whole.found(), scanner.known(), "the same blocks, whichever thread found them");
        assertEquals(whole.reused(), scanner.reused());
        for (int i = 0; i < index.blocks(); i++) {
            if (scanner.known().get(i)) {
                int start = i * 2048;
                int end = start + index.blockLength(i);
                assertArrayEquals(Arrays.copyOfRange(target, start, end), Arrays.copyOfRange(out, start, end));
            }
        }
    }

    @Test
    void aScanLimitedToTheFirstWindowsDoesNotFindWhatLiesBeyondThem() throws Exception {
        byte[] target = random(200_000, 13);
        ZsyncIndex index = indexOf(target, 1024);
        SeedScanner scanner = new SeedScanner(index);
        scanner.scan(new ByteArrayInputStream(target), 50_000, new BitSet(), (o, d, f, l) -> { });
        BitSet known = scanner.known();
        assertTrue(known.get(0) && known.get(48), "blocks that start in the first 50,000 bytes: " + known);
        assertFalse(known.get(60), "nothing far beyond them: " + known);
        assertTrue(scanner.reused() < 60_000, "reused " + scanner.reused());
    }

    /** The window moves through a buffer of a few windows, refilled and compacted many times over: the same blocks. */
    @Test
    void aSmallBufferFindsWhatALargeOneFinds() throws Exception {
        byte[] old = random(300_000, 14);
        ByteArrayOutputStream edited = new ByteArrayOutputStream();
        edited.write(old, 150_000, 50_000);
        edited.write(random(777, 15), 0, 777);
        edited.write(old, 0, 150_000);
        edited.write(old, 200_500, 99_500);
        byte[] target = edited.toByteArray();
        ZsyncIndex index = indexOf(target, 1024);
        Result large = scan(index, new BitSet(), old);
        for (int buffer : new int[]{4 * 2048, 4 * 2048 + 1, 10_000, 65_536}) {
            Result small = scan(new SeedScanner(index, buffer), index, new BitSet(), old);
            assertEquals(large.found(), small.found(), "buffer " + buffer);
            assertEquals(large.reused(), small.reused(), "buffer " + buffer);
            assertFoundBlocksAreTheTargets(target, index, small);
        }
        assertTrue(large.reused() >= target.length - 777 - 4 * 1024, "reused " + large.reused());
    }

    /**
     * Against a reference, over many shapes: a seed made of copies of runs of the target's blocks (two or more, in
     * any order, anywhere) between junk of any length. Every block of every run is found, and the blocks equal to a
     * found one; nothing else. Block sizes, buffer sizes, read sizes and a scan split in two vary; so do the blocks
     * already in the part, which count as found but are not handed on.
     */
    @Test
    void findsExactlyTheBlocksOfTheCopiedRunsAndTheirTwinsWhateverTheShape() throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        for (int trial = 0; trial < 400; trial++) {
            int blockSize = 16 << random.nextInt(5);
            int blocks = 3 + random.nextInt(40);
            boolean shortLast = random.nextBoolean();
            int length = blocks * blockSize - (shortLast ? 1 + random.nextInt(blockSize - 1) : 0);
            byte[] target = random(length, random.nextLong());
            // Some even blocks repeat another even block: twins, never two in a row.
            for (int i = 2; i + 1 < blocks; i += 2) {
                if (random.nextInt(6) == 0) {
                    int of = 2 * random.nextInt(i / 2);
                    System.arraycopy(target, of * blockSize, target, i * blockSize, blockSize);
                }
            }
            ZsyncIndex index = indexOf(target, blockSize);
            // Runs of two blocks and more, in a random order; the run with the short last block ends the seed.
            java.util.List<int[]> runs = new java.util.ArrayList<>();
            for (int at = random.nextInt(2); at < blocks; ) {
                int runLength = 2 + random.nextInt(4);
                int end = Math.min(blocks, at + runLength);
                // Two blocks and more; the last block may be alone, at the very end of the seed (zeros pad it).
                if ((end - at >= 2 || end == blocks) && random.nextInt(4) != 0) {
                    runs.add(new int[] {at, end});
                }
                at = end + random.nextInt(3);
            }
            java.util.Collections.shuffle(runs, new java.util.Random(random.nextLong()));
            runs.sort(java.util.Comparator.comparing(run -> run[1] == blocks));
            ByteArrayOutputStream seed = new ByteArrayOutputStream();
            BitSet expected = new BitSet();
            // Where a scan may be split in two without cutting a run: after a byte of junk, up to a run's start.
            java.util.List<Integer> cuts = new java.util.ArrayList<>();
            java.util.List<Integer> starts = new java.util.ArrayList<>();
            for (int[] run : runs) {
                byte[] junk = random(random.nextInt(3 * blockSize), random.nextLong());
                for (int k = 1; k <= junk.length; k++) {
                    cuts.add(seed.size() + k);
                }
                seed.write(junk, 0, junk.length);
                int from = run[0] * blockSize;
                int to = Math.min(length, run[1] * blockSize);
                starts.add(seed.size());
                seed.write(target, from, to - from);
                expected.set(run[0], run[1]);
            }
            if (runs.isEmpty() || runs.get(runs.size() - 1)[1] != blocks) {
                byte[] junk = random(random.nextInt(2 * blockSize), random.nextLong());
                seed.write(junk, 0, junk.length);
            }
            withTwins(expected, target, index);
            BitSet skip = new BitSet();
            for (int i = 0; i < blocks; i++) {
                if (random.nextInt(5) == 0) {
                    skip.set(i);
                }
            }
            int span = index.seqMatches() * blockSize;
            // Any buffer size: below four windows the scanner takes four windows.
            SeedScanner scanner = new SeedScanner(index, 1 + random.nextInt(8 * span));
            byte[] out = new byte[length];
            Arrays.fill(out, (byte) 0x5A);
            BitSet handed = new BitSet();
            int number = trial;
            SeedScanner.Found found = (offset, data, from, n) -> {
                int block = (int) (offset / blockSize);
                assertEquals(0, offset % blockSize, "trial " + number);
                assertEquals(index.blockLength(block), n, "trial " + number);
                assertFalse(handed.get(block), "trial " + number + ": block " + block + " handed on twice");
                handed.set(block);
                System.arraycopy(data, from, out, (int) offset, n);
            };
            byte[] bytes = seed.toByteArray();
            int readSize = 1 + random.nextInt(3 * blockSize);
            if (random.nextBoolean() && !cuts.isEmpty()) {
                // Two shares, as two threads scan a large seed: the windows of the first, then the rest.
                int half = cuts.get(random.nextInt(cuts.size()));
                scanner.scan(reading(bytes, 0, readSize), half, skip, found);
                // The first share finds the runs that start before the line, and their twins; none after it.
                BitSet first = new BitSet();
                for (int k = 0; k < runs.size(); k++) {
                    if (starts.get(k) < half) {
                        first.set(runs.get(k)[0], runs.get(k)[1]);
                    }
                }
                withTwins(first, target, index);
                assertEquals(first, scanner.known(), "trial " + trial + ": the first share, to " + half);
                scanner.scan(reading(bytes, half, readSize), skip, found);
            } else {
                scanner.scan(reading(bytes, 0, readSize), skip, found);
            }
            String what = "trial " + trial + ": block size " + blockSize + ", " + blocks + " blocks, runs "
                    + runs.stream().map(Arrays::toString).toList();
            assertEquals(expected, scanner.known(), what);
            BitSet wanted = (BitSet) expected.clone();
            wanted.andNot(skip);
            assertEquals(wanted, handed, what + ": handed on");
            long reused = 0;
            for (int i = expected.nextSetBit(0); i >= 0; i = expected.nextSetBit(i + 1)) {
                reused += index.blockLength(i);
                int start = i * blockSize;
                int end = start + index.blockLength(i);
                byte[] want = skip.get(i) ? new byte[end - start] : Arrays.copyOfRange(target, start, end);
                if (skip.get(i)) {
                    Arrays.fill(want, (byte) 0x5A);
                }
                assertArrayEquals(want, Arrays.copyOfRange(out, start, end), what + ": block " + i);
            }
            assertEquals(reused, scanner.reused(), what);
            assertEquals(expected.cardinality() == blocks, scanner.complete(), what);
        }
    }

    /** Adds to {@code found} every block equal to one in it. */
    private static void withTwins(BitSet found, byte[] target, ZsyncIndex index) {
        int blockSize = index.blockSize();
        for (int i = found.nextSetBit(0); i >= 0; i = found.nextSetBit(i + 1)) {
            for (int j = 0; j < index.blocks(); j++) {
                if (i != j && index.blockLength(i) == index.blockLength(j)
                        && Arrays.equals(target, i * blockSize, i * blockSize + index.blockLength(i),
                        target, j * blockSize, j * blockSize + index.blockLength(j))) {
                    found.set(j);
                }
            }
        }
    }

    /** {@code bytes} from {@code from} on, at most {@code most} bytes a read. */
    private static InputStream reading(byte[] bytes, int from, int most) {
        return new ByteArrayInputStream(bytes, from, bytes.length - from) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, most));
            }
        };
    }
}
