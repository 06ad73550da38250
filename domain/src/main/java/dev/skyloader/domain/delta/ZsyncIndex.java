package dev.skyloader.domain.delta;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import static java.util.Objects.requireNonNull;

/**
 * A zsync 0.6.2 control file: what {@code zsyncmake} writes. Header lines {@code Key: value}, a blank line, then for
 * each block of the file a truncated rolling sum ({@link RollingSum}, its last {@code rsum_bytes} bytes) and a
 * truncated MD4 ({@code checksum_bytes} leading bytes). A last block shorter than the block size is summed padded with
 * zeros. Read strictly: anything malformed is a {@link FormatException} naming the problem. Compressed-mode files
 * ({@code Z-Map2}, {@code Recompress}) are refused: they describe a gzip file, not the artifact.
 */
public final class ZsyncIndex {
    /** The largest control file read: 64 MiB describes a file of several hundred GiB at 4 KiB blocks. */
    public static final int MAX_BYTES = 64 << 20;
    private static final int MAX_HEADER_BYTES = 64 << 10;
    private static final Set<String> KNOWN = Set.of("zsync", "Filename", "MTime", "Blocksize", "Length",
            "Hash-Lengths", "URL", "SHA-1", "Safe", "Min-Version");
    private static final Set<String> COMPRESSED = Set.of("Z-URL", "Z-Map2", "Recompress", "Z-Filename");

    private final Map<String, String> header;
    private final int blockSize;
    private final long length;
    private final int seqMatches;
    private final int rsumBytes;
    private final int checksumBytes;
    private final int[] rsums;
    private final byte[] checksums;

    /** A control file is malformed or of a kind this reader does not take. */
    public static final class FormatException extends IllegalArgumentException {
        public FormatException(String message) {
            super(message);
        }
    }

    private ZsyncIndex(Map<String, String> header, int blockSize, long length, int seqMatches, int rsumBytes,
                       int checksumBytes, int[] rsums, byte[] checksums) {
        this.header = header;
        this.blockSize = blockSize;
        this.length = length;
        this.seqMatches = seqMatches;
        this.rsumBytes = rsumBytes;
        this.checksumBytes = checksumBytes;
        this.rsums = rsums;
        this.checksums = checksums;
    }

    /** Reads a whole control file. */
    public static ZsyncIndex parse(byte[] file) {
        requireNonNull(file, "file is null");
        if (file.length > MAX_BYTES) {
            throw new FormatException("the control file is larger than " + MAX_BYTES + " bytes");
        }
        Map<String, String> header = new LinkedHashMap<>();
        int at = 0;
        while (true) {
            int end = indexOf(file, (byte) '\n', at);
            if (end < 0 || end > MAX_HEADER_BYTES) {
                throw new FormatException(header.isEmpty() ? "not a zsync control file (no header line)"
                        : "the header does not end with a blank line");
            }
            String line = latin1(file, at, end - at);
            at = end + 1;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new FormatException(header.isEmpty() ? "not a zsync control file (it does not start with "
                        + "\"zsync: \")" : "not a header line: \"" + printable(line) + "\"");
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 2);
            if (COMPRESSED.contains(key)) {
                // Said at once: what follows such a header is binary, and would read as a malformed header.
                throw new FormatException("a compressed-mode control file (" + key + ") describes a gzip file, "
                        + "not the artifact; make it with zsyncmake -Z or without -z");
            }
            if (header.isEmpty() && !key.equals("zsync")) {
                throw new FormatException("not a zsync control file (it does not start with \"zsync: \")");
            }
            if (header.containsKey(key) && !key.equals("URL")) {
                throw new FormatException("the header " + key + " appears twice");
            }
            header.merge(key, value, (old, added) -> old + "\n" + added);
        }
        for (String key : header.keySet()) {
            if (COMPRESSED.contains(key)) {
                throw new FormatException("a compressed-mode control file (" + key + ") describes a gzip file, "
                        + "not the artifact; make it with zsyncmake -Z or without -z");
            }
            Set<String> safe = Set.of(header.getOrDefault("Safe", "").split(" "));
            if (!KNOWN.contains(key) && !safe.contains(key)) {
                throw new FormatException("unknown header " + printable(key) + " (not listed as Safe)");
            }
        }
        String minVersion = header.get("Min-Version");
        if (minVersion != null && compareVersions(minVersion, "0.6.2") > 0) {
            throw new FormatException("the control file needs zsync " + printable(minVersion) + " or newer");
        }
        int blockSize = (int) number(header, "Blocksize", 1, 1 << 24);
        if (Integer.bitCount(blockSize) != 1) {
            throw new FormatException("Blocksize " + blockSize + " is not a power of two");
        }
        long length = number(header, "Length", 0, Long.MAX_VALUE / 2);
        String lengths = required(header, "Hash-Lengths");
        String[] parts = lengths.split(",", -1);
        if (parts.length != 3) {
            throw new FormatException("Hash-Lengths must be seq_matches,rsum_bytes,checksum_bytes, got "
                    + printable(lengths));
        }
        int seqMatches = (int) parseNumber("Hash-Lengths seq_matches", parts[0], 1, 2);
        int rsumBytes = (int) parseNumber("Hash-Lengths rsum_bytes", parts[1], 1, 4);
        int checksumBytes = (int) parseNumber("Hash-Lengths checksum_bytes", parts[2], 3, 16);
        String sha1 = header.get("SHA-1");
        if (sha1 != null && !sha1.matches("[0-9a-fA-F]{40}")) {
            throw new FormatException("SHA-1 is not 40 hex digits: " + printable(sha1));
        }
        long blocks = (length + blockSize - 1) / blockSize;
        long expected = blocks * (rsumBytes + checksumBytes);
        long actual = file.length - at;
        if (actual != expected) {
            throw new FormatException("the control file has " + actual + " bytes of block sums, not the " + expected
                    + " that " + blocks + " blocks of " + blockSize + " bytes need" + (actual < expected
                    ? " (truncated?)" : ""));
        }
        int n = (int) blocks;
        int[] rsums = new int[n];
        byte[] checksums = new byte[n * checksumBytes];
        for (int i = 0; i < n; i++) {
            int sum = 0;
            for (int j = 0; j < rsumBytes; j++) {
                sum = sum << 8 | file[at++] & 0xff;
            }
            rsums[i] = sum;
            System.arraycopy(file, at, checksums, i * checksumBytes, checksumBytes);
            at += checksumBytes;
        }
        return new ZsyncIndex(Map.copyOf(header), blockSize, length, seqMatches, rsumBytes, checksumBytes, rsums,
                checksums);
    }

    /** Block sums of a file, made as zsyncmake makes them: feed whole blocks in order, the last one may be short. */
    public static final class Writer {
        private final int blockSize;
        /** The hash lengths, when the file's length is known up front; else null, and the sums are kept whole. */
        private final int[] lengths;
        private final long expectedLength;
        /** Per block: the rolling sum (big endian) and the MD4, truncated to {@link #lengths} when known. */
        private byte[] sums = new byte[1024];
        private int used;
        private int blocks;
        private final byte[] padded;
        private long length;
        private boolean shortSeen;

        /** Block sums of a file of a length not known yet: 20 bytes a block until {@link #finish}. */
        public Writer(int blockSize) {
            this(blockSize, -1);
        }

        /**
         * Block sums of a file of {@code expectedLength} bytes: only the bytes the control file keeps (about 8 a
         * block), so that a file of many GiB is summed in a small heap. Another length at the end is an error.
         */
        public Writer(int blockSize, long expectedLength) {
            if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
                throw new IllegalArgumentException("a block size is a power of two of at least 16, got " + blockSize);
            }
            this.blockSize = blockSize;
            this.padded = new byte[blockSize];
            this.expectedLength = expectedLength;
            this.lengths = expectedLength < 0 ? null : hashLengths(expectedLength, blockSize);
        }

        /** One block of the file; only the last may be shorter than the block size. */
        public void block(byte[] data, int offset, int length) {
            if (shortSeen || length <= 0 || length > blockSize) {
                throw new IllegalStateException("blocks are whole but for the last, got " + length + " bytes");
            }
            byte[] block = data;
            int from = offset;
            if (length < blockSize) {
                shortSeen = true;
                // The last block, summed padded with zeros (the array is new and used once).
                System.arraycopy(data, offset, padded, 0, length);
                block = padded;
                from = 0;
            }
            int rsumBytes = lengths == null ? 4 : lengths[1];
            int checksumBytes = lengths == null ? 16 : lengths[2];
            if (used + rsumBytes + checksumBytes > sums.length) {
                sums = Arrays.copyOf(sums, Math.max(sums.length * 2, used + rsumBytes + checksumBytes));
            }
            int sum = RollingSum.of(block, from, blockSize);
            for (int j = rsumBytes - 1; j >= 0; j--) {
                sums[used++] = (byte) (sum >>> (8 * j));
            }
            System.arraycopy(Md4.digest(block, from, blockSize), 0, sums, used, checksumBytes);
            used += checksumBytes;
            blocks++;
            this.length += length;
        }

        public long length() {
            return length;
        }

        /**
         * The control file, with the hash lengths zsyncmake would choose for this length.
         *
         * @param filename the name it describes; {@code url} where the file is served (relative to the control file);
         *                 {@code mtime} (RFC 2822), or null for none
         */
        public byte[] finish(String filename, String url, String mtime, String sha1Hex) {
            if (lengths != null && length != expectedLength) {
                throw new IllegalStateException("the file was to be " + expectedLength + " bytes, it was " + length);
            }
            int[] chosen = lengths != null ? lengths : hashLengths(length, blockSize);
            StringBuilder head = new StringBuilder();
            head.append("zsync: 0.6.2\n");
            head.append("Filename: ").append(oneLine(filename)).append('\n');
            if (mtime != null) {
                head.append("MTime: ").append(oneLine(mtime)).append('\n');
            }
            head.append("Blocksize: ").append(blockSize).append('\n');
            head.append("Length: ").append(length).append('\n');
            head.append("Hash-Lengths: ").append(chosen[0]).append(',').append(chosen[1]).append(',')
                    .append(chosen[2]).append('\n');
            head.append("URL: ").append(oneLine(url)).append('\n');
            head.append("SHA-1: ").append(sha1Hex.toLowerCase(Locale.ROOT)).append("\n\n");
            byte[] text = latin1(head.toString());
            if (lengths != null) {
                byte[] out = Arrays.copyOf(text, text.length + used);
                System.arraycopy(sums, 0, out, text.length, used);
                return out;
            }
            int per = chosen[1] + chosen[2];
            byte[] out = Arrays.copyOf(text, text.length + blocks * per);
            int at = text.length;
            for (int i = 0; i < blocks; i++) {
                // The last rsum_bytes of the 4-byte sum, then the first checksum_bytes of the MD4.
                System.arraycopy(sums, i * 20 + 4 - chosen[1], out, at, chosen[1]);
                System.arraycopy(sums, i * 20 + 4, out, at + chosen[1], chosen[2]);
                at += per;
            }
            return out;
        }

        private static String oneLine(String value) {
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a header value is one line: " + value);
            }
            return value;
        }
    }

    /** zsyncmake's choice of {seq_matches, rsum_bytes, checksum_bytes} for a file of {@code length} bytes. */
    static int[] hashLengths(long length, int blockSize) {
        int seqMatches = length > blockSize ? 2 : 1;
        double len = Math.max(1, length);
        int rsumBytes = (int) Math.ceil(((Math.log(len) + Math.log(blockSize)) / Math.log(2) - 8.6) / seqMatches / 8);
        rsumBytes = Math.max(2, Math.min(4, rsumBytes));
        int checksumBytes = (int) Math.ceil((20 + (Math.log(len) + Math.log(1 + len / blockSize)) / Math.log(2))
                / seqMatches / 8);
        int floor = (int) ((7.9 + (20 + Math.log(1 + len / blockSize) / Math.log(2))) / 8);
        checksumBytes = Math.min(16, Math.max(checksumBytes, floor));
        return new int[]{seqMatches, rsumBytes, checksumBytes};
    }

    public int blockSize() {
        return blockSize;
    }

    /** The length of the file described (the artifact's plaintext). */
    public long length() {
        return length;
    }

    public int blocks() {
        return rsums.length;
    }

    /** 1 or 2: how many consecutive blocks must match before a match counts (zsync's seq_matches). */
    public int seqMatches() {
        return seqMatches;
    }

    public int rsumBytes() {
        return rsumBytes;
    }

    public int checksumBytes() {
        return checksumBytes;
    }

    /** Block {@code i}'s rolling sum, truncated as stored: its last {@link #rsumBytes()} bytes. */
    public int rsum(int i) {
        return rsums[i];
    }

    /** The mask that truncates a full rolling sum as this file stores them. */
    public int rsumMask() {
        return rsumBytes == 4 ? -1 : (1 << (8 * rsumBytes)) - 1;
    }

    /** Whether {@code md4} (16 bytes) starts with block {@code i}'s stored checksum. */
    public boolean checksumMatches(int i, byte[] md4) {
        return Arrays.equals(checksums, i * checksumBytes, (i + 1) * checksumBytes, md4, 0, checksumBytes);
    }

    /** Whether blocks {@code i} and {@code j} have the same stored sums (the same content, as far as it can tell). */
    public boolean sameSums(int i, int j) {
        return rsums[i] == rsums[j] && Arrays.equals(checksums, i * checksumBytes, (i + 1) * checksumBytes,
                checksums, j * checksumBytes, (j + 1) * checksumBytes);
    }

    public Optional<String> sha1() {
        return Optional.ofNullable(header.get("SHA-1")).map(s -> s.toLowerCase(Locale.ROOT));
    }

    public Optional<String> filename() {
        return Optional.ofNullable(header.get("Filename"));
    }

    /** Bytes of the file in block {@code i} (the last one may be short). */
    public int blockLength(int i) {
        long start = (long) i * blockSize;
        return (int) Math.min(blockSize, length - start);
    }

    private static String required(Map<String, String> header, String key) {
        String value = header.get(key);
        if (value == null) {
            throw new FormatException("the header " + key + " is missing");
        }
        return value;
    }

    private static long number(Map<String, String> header, String key, long min, long max) {
        return parseNumber(key, required(header, key), min, max);
    }

    private static long parseNumber(String what, String text, long min, long max) {
        if (!text.matches("[0-9]{1,19}")) {
            throw new FormatException(what + " is not a number: " + printable(text));
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new FormatException(what + " is out of range: " + text);
        }
        if (value < min || value > max) {
            throw new FormatException(what + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length && x[i].matches("[0-9]{1,6}") ? Integer.parseInt(x[i]) : 0;
            int q = i < y.length && y[i].matches("[0-9]{1,6}") ? Integer.parseInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static String latin1(byte[] data, int offset, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) (data[offset + i] & 0xff);
        }
        return new String(chars);
    }

    /** Header text as bytes; a character beyond Latin-1 becomes {@code ?} (names are for people only). */
    private static byte[] latin1(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            out[i] = c > 0xff ? (byte) '?' : (byte) c;
        }
        return out;
    }

    private static int indexOf(byte[] data, byte value, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** A header value as it may appear in one line of a message. */
    private static String printable(String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        StringBuilder out = new StringBuilder();
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append('?');
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return "ZsyncIndex[" + blocks() + " blocks of " + blockSize + ", length " + length + ", hash lengths "
                + seqMatches + "," + rsumBytes + "," + checksumBytes + "]";
    }
}
