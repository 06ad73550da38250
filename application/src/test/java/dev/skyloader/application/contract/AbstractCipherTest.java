package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every Cipher must do for the one-pass data path: decrypt the served body from any offset a resume may start
 * at, and re-derive the served bytes from the part file so that they can be hashed and checked. Each
 * implementation's test extends this.
 */
public abstract class AbstractCipherTest {
    private static final int SIZE = 5_003;
    protected final AesKey key = AesKey.of(bytes(32, 1));
    protected final AesKey otherKey = AesKey.of(bytes(32, 2));

    protected abstract Cipher cipher();

    @ParameterizedTest
    @EnumSource(value = CipherName.class, names = {"AES_256_GCM", "AES_256_CBC", "AES_256_CTR"})
    void decryptingFromAnyResumeOffsetGivesWhatDecryptingFromTheStartGives(CipherName name) throws Exception {
        byte[] served = encrypt(name, key, bytes(SIZE, 3));
        byte[] header = Arrays.copyOf(served, name.headerBytes());
        byte[] body = Arrays.copyOfRange(served, name.headerBytes(), served.length);
        byte[] whole = decryptBody(name, key, header, body, 0);
        assertEquals(body.length, whole.length, "one part byte per served body byte");
        long[] offsets = name == CipherName.AES_256_CBC ? new long[]{16, 1008, 4096, body.length - 16}
                : new long[]{1, 15, 16, 17, 1000, 4099, body.length - 1};
        for (long offset : offsets) {
            byte[] rest = decryptBody(name, key, header, body, (int) offset);
            assertArrayEquals(Arrays.copyOfRange(whole, (int) offset, whole.length), rest, "from " + offset);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherName.class, names = {"AES_256_GCM", "AES_256_CBC", "AES_256_CTR"})
    void theEncoderReDerivesTheServedBytesAndTellsTheArtifactsLength(CipherName name) throws Exception {
        byte[] plain = bytes(SIZE, 4);
        byte[] served = encrypt(name, key, plain);
        byte[] header = Arrays.copyOf(served, name.headerBytes());
        byte[] body = Arrays.copyOfRange(served, name.headerBytes(), served.length);
        byte[] part = decryptBody(name, key, header, body, 0);
        Encoded encoded = encode(name, key, header, part);
        assertArrayEquals(body, encoded.served(), "the bytes served, re-derived");
        assertTrue(encoded.ending().authentic());
        assertEquals(plain.length, encoded.ending().plaintextLength());
        assertArrayEquals(plain, Arrays.copyOf(part, plain.length), "the part starts with the artifact");
    }

    /** For CBC the padding is the check, and it passes by chance about once in 256 IVs: implementations give fixed IVs. */
    @ParameterizedTest
    @EnumSource(value = CipherName.class, names = {"AES_256_GCM", "AES_256_CBC"})
    void underAWrongKeyTheServedBytesStillComeBackButTheCheckFails(CipherName name) throws Exception {
        byte[] served = encrypt(name, key, bytes(SIZE, 5));
        byte[] header = Arrays.copyOf(served, name.headerBytes());
        byte[] body = Arrays.copyOfRange(served, name.headerBytes(), served.length);
        byte[] part = decryptBody(name, otherKey, header, body, 0);
        Encoded encoded = encode(name, otherKey, header, part);
        assertArrayEquals(body, encoded.served(), "the SHA-256 of the served bytes still matches");
        assertFalse(encoded.ending().authentic(), "but the key is wrong");
    }

    @Test
    void aDamagedGcmTagFailsTheCheck() throws Exception {
        byte[] served = encrypt(CipherName.AES_256_GCM, key, bytes(SIZE, 6));
        served[served.length - 3] ^= 1;
        byte[] header = Arrays.copyOf(served, 12);
        byte[] body = Arrays.copyOfRange(served, 12, served.length);
        Encoded encoded = encode(CipherName.AES_256_GCM, key, header,
                decryptBody(CipherName.AES_256_GCM, key, header, body, 0));
        assertArrayEquals(body, encoded.served());
        assertFalse(encoded.ending().authentic());
    }

    @Test
    void aGcmPartShorterThanItsTagIsNotAuthentic() {
        Cipher.BodyEncoder encoder = cipher().bodyEncoder(CipherName.AES_256_GCM, key, new byte[12]);
        encoder.update(new byte[10], 0, 10, new byte[64], 0);
        assertFalse(encoder.finish().authentic());
    }

    private byte[] encrypt(CipherName name, AesKey with, byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cipher().encrypt(name, with, new ByteArrayInputStream(plain), out);
        return out.toByteArray();
    }

    /** Feeds the body from {@code offset} (CBC: and the block before it) in uneven pieces, as a network does. */
    private byte[] decryptBody(CipherName name, AesKey with, byte[] header, byte[] body, int offset) {
        int chain = name == CipherName.AES_256_CBC && offset > 0 ? 16 : 0;
        Cipher.BodyDecryptor decryptor = cipher().bodyDecryptor(name, with, header, offset);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SplittableRandom pieces = new SplittableRandom(offset);
        int at = offset - chain;
        byte[] buffer = new byte[1024 + 32];
        while (at < body.length) {
            int n = Math.min(body.length - at, 1 + pieces.nextInt(1000));
            int produced = decryptor.update(body, at, n, buffer, 0);
            out.write(buffer, 0, produced);
            at += n;
        }
        return out.toByteArray();
    }

    private record Encoded(byte[] served, Cipher.Ending ending) {
    }

    private Encoded encode(CipherName name, AesKey with, byte[] header, byte[] part) {
        Cipher.BodyEncoder encoder = cipher().bodyEncoder(name, with, header);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SplittableRandom pieces = new SplittableRandom(7);
        byte[] buffer = new byte[1024 + 32];
        int at = 0;
        while (at < part.length) {
            int n = Math.min(part.length - at, 1 + pieces.nextInt(1000));
            out.write(buffer, 0, encoder.update(part, at, n, buffer, 0));
            at += n;
        }
        Cipher.Ending ending = encoder.finish();
        out.writeBytes(ending.servedTail());
        return new Encoded(out.toByteArray(), ending);
    }

    protected static byte[] bytes(int size, int seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
