package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
    @Test
    void sha256AcceptsOnlySixtyFourHexCharacters() {
        assertEquals("ab".repeat(32), new Sha256("AB".repeat(32)).hex());
        var shortOne = assertThrows(IllegalArgumentException.class, () -> new Sha256("abc"));
        assertTrue(shortOne.getMessage().contains("64"));
        var nonHex = assertThrows(IllegalArgumentException.class, () -> new Sha256("g".repeat(64)));
        assertTrue(nonHex.getMessage().contains("'g'"));
    }

    @Test
    void aesKeyNeedsThirtyTwoBytesAndNeverShowsThem() {
        byte[] raw = new byte[32];
        raw[0] = 7;
        AesKey fromBase64 = AesKey.parse(Base64.getEncoder().encodeToString(raw) + "\n");
        AesKey fromHex = AesKey.parse("07" + "00".repeat(31));
        assertArrayEquals(raw, fromBase64.bytes());
        assertArrayEquals(raw, fromHex.bytes());
        assertEquals("AesKey[redacted]", fromHex.toString());
        var wrongLength = assertThrows(IllegalArgumentException.class,
                () -> AesKey.parse(Base64.getEncoder().encodeToString(new byte[16])));
        assertTrue(wrongLength.getMessage().contains("32 bytes, got 16"));
        assertThrows(IllegalArgumentException.class, () -> AesKey.parse("not a key!"));
        assertThrows(IllegalArgumentException.class, () -> AesKey.of(new byte[31]));
    }

    @Test
    void aesKeyDestroyOverwritesItsBytes() {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) 9);
        AesKey key = AesKey.of(raw);
        key.destroy();
        assertArrayEquals(new byte[32], key.bytes());
    }

    @Test
    void cipherNamesParseAndRefuseUnknownOnes() {
        assertEquals(CipherName.AES_256_GCM, CipherName.parse("AES-256-GCM"));
        var e = assertThrows(IllegalArgumentException.class, () -> CipherName.parse("rot13"));
        assertTrue(e.getMessage().contains("rot13") && e.getMessage().contains("aes-256-ctr"));
    }

    @Test
    void byteCountsRefuseNegativesAndReadUnits() {
        assertThrows(IllegalArgumentException.class, () -> ByteCount.of(-1));
        assertEquals(8L << 20, ByteCount.parse("8M").bytes());
        assertEquals(512L << 10, ByteCount.parse("512k").bytes());
        assertEquals(1L << 30, ByteCount.parse("1GiB").bytes());
        assertEquals(12345, ByteCount.parse("12345").bytes());
        assertThrows(IllegalArgumentException.class, () -> ByteCount.parse("-5"));
        assertThrows(IllegalArgumentException.class, () -> ByteCount.parse("8X"));
        assertThrows(IllegalArgumentException.class, () -> ByteCount.parse("99999999999T"));
    }

    @Test
    void durationsReadTheUnitsPeopleWrite() {
        assertEquals(Duration.ofMillis(250), DurationText.parse("250ms"));
        assertEquals(Duration.ofSeconds(30), DurationText.parse("30s"));
        assertEquals(Duration.ofSeconds(30), DurationText.parse("30"));
        assertEquals(Duration.ofHours(4), DurationText.parse("4h"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("-1s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("soon"));
    }

    @Test
    void sourceUrlsHideTheirSecrets() {
        SourceUrl url = new SourceUrl("https://AKIA:secret@bucket.s3.example/k.bin?X-Amz-Signature=deadbeef");
        assertEquals("https", url.scheme());
        assertEquals("https://bucket.s3.example/k.bin", url.toString());
        assertEquals("s3", new SourceUrl("S3://models/detector.onnx.enc").scheme());
        assertEquals("https://bucket.s3.example", url.origin());
        assertEquals("http://cdn:8080", new SourceUrl("http://u@CDN:8080/a?b").origin());
        var e = assertThrows(IllegalArgumentException.class, () -> new SourceUrl("no-scheme?sig=secret"));
        assertFalse(e.getMessage().contains("secret"));
    }

    @Test
    void downloadIdsCannotNameAPathOutsideTheStateDirectory() {
        assertThrows(IllegalArgumentException.class, () -> new DownloadId("../etc"));
        assertThrows(IllegalArgumentException.class, () -> new DownloadId("a/b"));
        assertThrows(IllegalArgumentException.class, () -> new DownloadId("x..y"));
        assertEquals("ab12-cd", new DownloadId("ab12-cd").value());
    }
}
