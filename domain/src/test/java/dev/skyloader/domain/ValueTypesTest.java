package dev.skyloader.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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

    @Test
    void sha256AcceptsEveryHexDigitIncludingZero() {
        String allDigits = "0123456789abcdefABCDEF".repeat(3).substring(0, 64);
        assertEquals(allDigits.toLowerCase(), new Sha256(allDigits).hex());
        assertEquals("0".repeat(64), new Sha256(" " + "0".repeat(64) + "\n").toString());
    }

    @Test
    void sha256NamesThePositionOfTheFirstCharacterThatIsNotHex() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Sha256("ab" + "z" + "0".repeat(61)));
        assertTrue(e.getMessage().contains("'z' at position 3"), e.getMessage());
    }

    @Test
    void sha256OfADigestIsItsLowerCaseHex() {
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xAB;
        digest[31] = 0x01;
        assertEquals(new Sha256("ab" + "00".repeat(30) + "01"), Sha256.of(digest));
        assertThrows(IllegalArgumentException.class, () -> Sha256.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Sha256.of(new byte[33]));
    }

    @Test
    void aesKeyReadsUrlSafeBase64WhateverItsFirstCharacter() {
        byte[] minus = new byte[32];
        minus[0] = (byte) 0xF8; // URL-safe base64 "-AAA...": a '-' and no '_'
        byte[] underscore = new byte[32];
        underscore[0] = (byte) 0xFC; // URL-safe base64 "_AAA...": a '_' and no '-'
        for (byte[] raw : List.of(minus, underscore)) {
            String text = Base64.getUrlEncoder().encodeToString(raw);
            assertArrayEquals(raw, AesKey.parse(text).bytes(), text);
        }
    }

    @Test
    void aesKeyReadsStandardBase64WithPlusAndSlash() {
        byte[] raw = new byte[32];
        raw[0] = (byte) 0xF8;
        raw[3] = (byte) 0xFC;
        String text = Base64.getEncoder().encodeToString(raw);
        assertArrayEquals(raw, AesKey.parse(text).bytes(), text);
        assertEquals(text, AesKey.parse(text).toBase64());
    }

    @Test
    void aesKeyOfSixtyFourCharactersThatAreNotAllHexIsReadAsBase64() {
        var e = assertThrows(IllegalArgumentException.class, () -> AesKey.parse("G".repeat(64)));
        assertTrue(e.getMessage().contains("32 bytes, got 48 bytes"), e.getMessage());
    }

    @Test
    void aesKeyInHexIgnoresWhitespaceAndCase() {
        byte[] raw = HexFormat.of().parseHex("ABCDEF0123456789".repeat(4));
        AesKey key = AesKey.parse("abcdef0123456789abcdef0123456789 \n ABCDEF0123456789ABCDEF0123456789");
        assertArrayEquals(raw, key.bytes());
        assertEquals(Base64.getEncoder().encodeToString(raw), key.toBase64());
        assertThrows(IllegalArgumentException.class, () -> AesKey.parse(" \n\t"));
    }

    @Test
    void cipherNamesKnowTheLayoutOfWhatIsServed() {
        assertEquals(List.of(0, 0, false), layout(CipherName.NONE));
        assertEquals(List.of(12, 16, true), layout(CipherName.AES_256_GCM));
        assertEquals(List.of(16, 0, true), layout(CipherName.AES_256_CBC));
        assertEquals(List.of(16, 0, true), layout(CipherName.AES_256_CTR));
    }

    private static List<Object> layout(CipherName cipher) {
        return List.of(cipher.headerBytes(), cipher.trailerBytes(), cipher.needsKey());
    }

    @Test
    void cipherNamesPrintAsTheirWireNameAndReadItBack() {
        for (CipherName cipher : CipherName.values()) {
            assertEquals(cipher, CipherName.parse(" " + cipher + " "));
        }
        assertEquals("aes-256-cbc", CipherName.AES_256_CBC.toString());
        assertThrows(IllegalArgumentException.class, () -> CipherName.parse(null));
    }

    @Test
    void byteCountsTakeZeroAndAnOptionalByteSuffix() {
        assertEquals(ByteCount.ZERO, ByteCount.parse("0"));
        assertEquals(ByteCount.of(512), ByteCount.parse("512B"));
        assertEquals(ByteCount.of(1024), ByteCount.parse(" 1kb "));
        assertEquals(ByteCount.of(1L << 40), ByteCount.parse("1TiB"));
        assertEquals(7, ByteCount.of(7).bytes());
        assertThrows(IllegalArgumentException.class, () -> ByteCount.parse("B"));
        assertThrows(IllegalArgumentException.class, () -> ByteCount.parse("k"));
        assertThrows(IllegalArgumentException.class, () -> ByteCount.parse("  "));
    }

    @Test
    void byteCountsOrderBySizeAndPrintInBytes() {
        List<ByteCount> counts = new ArrayList<>(List.of(ByteCount.of(1024), ByteCount.ZERO, ByteCount.of(5)));
        Collections.sort(counts);
        assertEquals(List.of(ByteCount.ZERO, ByteCount.of(5), ByteCount.of(1024)), counts);
        assertTrue(ByteCount.of(6).compareTo(ByteCount.of(5)) > 0);
        assertEquals("8388608 B", ByteCount.parse("8M").toString());
    }

    @Test
    void durationsTakeAtMostTwelveDigits() {
        assertEquals(Duration.ofMillis(999_999_999_999L), DurationText.parse("999999999999ms"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1000000000000ms"));
        assertEquals(Duration.ofMinutes(5), DurationText.parse("5M"));
        assertEquals(Duration.ofDays(2), DurationText.parse("2d"));
    }

    @Test
    void aMalformedUrlIsShownOnlyUpToItsFirstQueryOrFragment() {
        Map<String, String> shown = Map.of(
                "no-scheme", "no-scheme",
                "no-scheme#frag", "no-scheme",
                "no-scheme?sig=secret#frag", "no-scheme",
                "no-scheme#frag?sig=secret", "no-scheme",
                "?sig=secret", "",
                "#frag?sig=secret", "");
        shown.forEach((url, expected) -> {
            var e = assertThrows(IllegalArgumentException.class, () -> new SourceUrl(url));
            assertEquals("not a URL: '" + expected + "'", e.getMessage(), url);
        });
    }

    @Test
    void anEmptyUserInfoIsDroppedToo() {
        SourceUrl url = new SourceUrl("https://@CDN.example:8443/a.bin");
        assertEquals("https://CDN.example:8443/a.bin", url.redacted());
        assertEquals("https://cdn.example:8443", url.origin());
    }

    @Test
    void aUrlWithoutAHostIsRefusedWithoutShowingItsSecrets() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SourceUrl("https:///k?sig=secret"));
        assertEquals("URL has no host: 'https:///k'", e.getMessage());
    }

    @Test
    void aValidatorIsSentBackOnlyToTheSourceThatIssuedIt() {
        Validator validator = new Validator("\"abc\"", "https://cdn.example/a.bin");
        assertTrue(validator.issuedBy("https://cdn.example/a.bin"));
        assertFalse(validator.issuedBy("https://mirror.example/a.bin"));
        assertThrows(IllegalArgumentException.class, () -> new Validator(" ", "https://cdn.example/a.bin"));
        assertThrows(IllegalArgumentException.class, () -> new Validator("\"abc\"", ""));
    }

    @Test
    void partEncodingWireNamesRoundTrip() {
        for (PartEncoding encoding : PartEncoding.values()) {
            assertEquals(encoding, PartEncoding.fromWireName(encoding.wireName()));
        }
        assertEquals("served", PartEncoding.SERVED.wireName());
        assertEquals(PartEncoding.PLAIN, PartEncoding.fromWireName("plain"));
        assertThrows(IllegalArgumentException.class, () -> PartEncoding.fromWireName("PLAIN"));
        assertThrows(IllegalArgumentException.class, () -> PartEncoding.fromWireName(null));
    }

    @Test
    void aDownloadIdPrintsAsItself() {
        assertEquals("ab12-cd.v2", new DownloadId("ab12-cd.v2").toString());
    }

    @Test
    void aUrlWithUserInfoButNoHostIsRefusedWithoutShowingTheCredentials() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SourceUrl("https://user:pw@/k"));
        assertTrue(e.getMessage().contains("no host"), e.getMessage());
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }

    @Test
    void aGcmArtifactBeyondWhatGcmCanHoldIsNotAnArtifact() {
        long limit = (1L << 36) - 32 + 28;
        assertTrue(CipherName.AES_256_GCM.sizeProblem(limit).isEmpty());
        assertTrue(CipherName.AES_256_GCM.sizeProblem(limit + 1).orElseThrow().contains("64 GiB"));
        assertTrue(CipherName.AES_256_CTR.sizeProblem(limit + 1).isEmpty(), "CTR has no such limit");
    }

    @Test
    void durationsForPeopleKeepThePrecisionThatMatters() {
        assertEquals("0ms", DurationText.human(Duration.ZERO));
        assertEquals("0ms", DurationText.human(Duration.ofMillis(-5)));
        assertEquals("999ms", DurationText.human(Duration.ofMillis(999)));
        assertEquals("1s", DurationText.human(Duration.ofMillis(1000)));
        assertEquals("1.5s", DurationText.human(Duration.ofMillis(1500)));
        assertEquals("9.9s", DurationText.human(Duration.ofMillis(9_949)));
        assertEquals("10s", DurationText.human(Duration.ofMillis(9_950)));
        assertEquals("10s", DurationText.human(Duration.ofMillis(10_000)));
        assertEquals("57s", DurationText.human(Duration.ofMillis(56_863)));
        assertEquals("59s", DurationText.human(Duration.ofMillis(59_499)));
        assertEquals("1m", DurationText.human(Duration.ofMillis(59_500)));
        assertEquals("4m12s", DurationText.human(Duration.ofSeconds(252)));
        assertEquals("5m", DurationText.human(Duration.ofMinutes(5)));
        assertEquals("59m59s", DurationText.human(Duration.ofSeconds(3599)));
        assertEquals("1h", DurationText.human(Duration.ofSeconds(3600)));
        assertEquals("1h", DurationText.human(Duration.ofSeconds(3629)));
        assertEquals("1h1m", DurationText.human(Duration.ofSeconds(3630)));
        assertEquals("3h57m", DurationText.human(Duration.ofMillis(14_209_956)));
        assertEquals("4h", DurationText.human(Duration.ofHours(4)));
        assertEquals("48h", DurationText.human(Duration.ofDays(2)));
    }
}
