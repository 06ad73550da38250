package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class JcaDigestTest {
    @Test
    void sha256OfAbcFedInPiecesIsTheStandardVector() {
        var hasher = new JcaDigest("SHA-256").newHasher();
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        hasher.update(abc, 0, 1);
        hasher.update(abc, 1, 2);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(hasher.finish()));
    }

    @Test
    void otherAlgorithmsCanBeChosenAndUnknownOnesAreRefused() {
        assertEquals(64, new JcaDigest("SHA-512").newHasher().finish().length);
        assertEquals(16, new JcaDigest("MD5").newHasher().finish().length);
        assertThrows(IllegalArgumentException.class, () -> new JcaDigest("SHA-3"));
    }
}
