package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.Digest.Hasher;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every Digest must do: the standard digests, however the bytes are fed. Each implementation's test extends this. */
public abstract class AbstractDigestTest {
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    /** The published test vectors (FIPS 180, RFC 1321): the digest of no bytes, then of "abc". */
    private static final Map<String, String[]> VECTORS = Map.of(
            "SHA-256", new String[]{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
            "SHA-512", new String[]{"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                    + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
            "SHA-1", new String[]{"da39a3ee5e6b4b0d3255bfef95601890afd80709", "a9993e364706816aba3e25717850c26c9cd0d89d"},
            "MD5", new String[]{"d41d8cd98f00b204e9800998ecf8427e", "900150983cd24fb0d6963f7d28e17f72"});

    protected Digest digest;

    protected abstract Digest createDigest() throws Exception;

    @BeforeEach
    void setUpDigest() throws Exception {
        digest = createDigest();
        assertTrue(VECTORS.containsKey(digest.algorithm()),
                "no test vectors for " + digest.algorithm() + ": add them to this contract");
    }

    @Test
    void noBytesGiveTheStandardEmptyDigest() {
        assertEquals(vector(0), hex(digest.newHasher().finish()));
    }

    @Test
    void bytesFedInPiecesGiveTheSameDigestAsAtOnce() {
        Hasher whole = digest.newHasher();
        whole.update(ABC, 0, 3);
        Hasher pieces = digest.newHasher();
        pieces.update(ABC, 0, 1);
        pieces.update(ABC, 1, 0);
        pieces.update(ABC, 1, 2);
        assertEquals(vector(1), hex(whole.finish()));
        assertEquals(vector(1), hex(pieces.finish()));
    }

    @Test
    void onlyTheBytesBetweenOffsetAndLengthCount() {
        byte[] padded = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
        Hasher hasher = digest.newHasher();
        hasher.update(padded, 2, 3);
        assertEquals(vector(1), hex(hasher.finish()));
    }

    @Test
    void hashersOfOneDigestAreIndependent() {
        Hasher first = digest.newHasher();
        Hasher second = digest.newHasher();
        first.update(ABC, 0, 3);
        assertEquals(vector(0), hex(second.finish()));
        assertEquals(vector(1), hex(first.finish()));
    }

    private String vector(int index) {
        return VECTORS.get(digest.algorithm())[index];
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
