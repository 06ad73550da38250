package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.TrackingFileStore;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartConversionTest {
    private static final String PART = "/data/model.bin.part";
    private static final AesKey KEY = AesKey.of(TransferTest.filled(9));
    private static final int H = CipherName.AES_256_GCM.headerBytes();

    private final InMemoryFileStore memory = new InMemoryFileStore();
    private final TrackingFileStore files = new TrackingFileStore(memory);
    private final PartConversion conversion = new PartConversion(files, new XorCipher(), 64);
    private final byte[] plain = TransferTest.bytes(300, 1);
    private final byte[] served = XorCipher.encrypt(CipherName.AES_256_GCM, KEY, plain);

    @BeforeEach
    void readsComeInPieces() {
        // Shorter than the 12-byte nonce, so that even the header takes two reads.
        files.shortReads(8);
    }

    /** What the part holds for the first {@code bodyBytes} served body bytes: the body decrypted on arrival. */
    private byte[] decrypted(int bodyBytes) {
        byte[] out = new byte[bodyBytes + 16];
        int n = new XorCipher().bodyDecryptor(CipherName.AES_256_GCM, KEY, Arrays.copyOf(served, H), 0)
                .update(served, H, bodyBytes, out, 0);
        return Arrays.copyOf(out, n);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aServedPartIsDecryptedUpToTheTrustedBytesAndNoFurther() throws Exception {
        memory.put(PART, concat(served, TransferTest.bytes(50, 2)));

        PartConversion.Plain result = conversion.toPlain(PART, CipherName.AES_256_GCM, KEY, served.length);

        assertArrayEquals(Arrays.copyOf(served, H), result.header());
        assertEquals(served.length - H, result.partBytes());
        assertArrayEquals(decrypted(served.length - H), memory.content(PART));
    }

    @Test
    void aServedPartTrustedOnlyInPartIsDecryptedOnlyThatFar() throws Exception {
        memory.put(PART, served);

        PartConversion.Plain result = conversion.toPlain(PART, CipherName.AES_256_GCM, KEY, H + 100);

        assertEquals(100, result.partBytes());
        assertArrayEquals(Arrays.copyOf(plain, 100), memory.content(PART));
    }

    @Test
    void aServedPartShorterThanItsTrustedBytesIsDecryptedAsFarAsItGoes() throws Exception {
        memory.put(PART, Arrays.copyOf(served, H + 70));

        assertEquals(70, conversion.toPlain(PART, CipherName.AES_256_GCM, KEY, served.length).partBytes());
        assertArrayEquals(Arrays.copyOf(plain, 70), memory.content(PART));
    }

    @Test
    void aPlainPartIsTurnedBackIntoExactlyTheServedBytes() throws Exception {
        int body = served.length - H;
        memory.put(PART, concat(decrypted(body), TransferTest.bytes(40, 3)));

        conversion.toServed(PART, CipherName.AES_256_GCM, KEY, Arrays.copyOf(served, H), body);

        assertArrayEquals(served, memory.content(PART));
    }

    @Test
    void aPlainPartShorterThanItClaimsIsAnErrorAndIsLeftAsItWas() throws Exception {
        byte[] shortPart = Arrays.copyOf(decrypted(served.length - H), 100);
        memory.put(PART, shortPart);

        IOException e = assertThrows(IOException.class, () -> conversion.toServed(PART, CipherName.AES_256_GCM, KEY,
                Arrays.copyOf(served, H), served.length - H));

        assertEquals("part file ended at byte 100 of " + (served.length - H), e.getMessage());
        assertArrayEquals(shortPart, memory.content(PART));
    }

    @Test
    void aServedPartShorterThanItsNonceIsAnError() {
        memory.put(PART, Arrays.copyOf(served, 5));
        IOException e = assertThrows(IOException.class,
                () -> conversion.toPlain(PART, CipherName.AES_256_GCM, KEY, served.length));
        assertEquals("part file is shorter than its 12-byte header", e.getMessage());
    }
}
