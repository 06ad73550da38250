package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingAesCipherTest {
    private final StreamingAesCipher cipher = new StreamingAesCipher();
    private final AesKey key = AesKey.of(bytes(32, 1));

    @ParameterizedTest
    @EnumSource(CipherName.class)
    void encryptThenDecryptGivesTheOriginalBack(CipherName name) throws Exception {
        for (int size : new int[]{0, 1, 15, 16, 17, 65_536, 65_537, 1_000_003}) {
            byte[] plain = bytes(size, size);
            byte[] encrypted = encrypt(name, plain);
            assertEquals(size + name.headerBytes() + name.trailerBytes() + padding(name, size), encrypted.length);
            assertArrayEquals(plain, decrypt(name, key, encrypted), name + " " + size);
        }
    }

    @Test
    void aWrongGcmKeyFailsTheTag() throws Exception {
        byte[] encrypted = encrypt(CipherName.AES_256_GCM, bytes(100_000, 3));
        assertThrows(NotAuthentic.class, () -> decrypt(CipherName.AES_256_GCM, AesKey.of(bytes(32, 2)), encrypted));
    }

    /**
     * CBC has no tag: under a wrong key the padding fails about 255 times in 256, depending on the IV, and the
     * artifact's SHA-256 is what is left for the rest. A seeded IV makes this artifact one whose padding fails.
     */
    @Test
    void aWrongCbcKeyFailsThePaddingOfThisArtifact() throws Exception {
        StreamingAesCipher seeded = new StreamingAesCipher(new java.util.Random(3));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        seeded.encrypt(CipherName.AES_256_CBC, key, new ByteArrayInputStream(bytes(100_000, 3)), out);
        byte[] encrypted = out.toByteArray();
        assertThrows(NotAuthentic.class, () -> decrypt(CipherName.AES_256_CBC, AesKey.of(bytes(32, 2)), encrypted));
    }

    @Test
    void aTamperedGcmArtifactFailsItsTag() throws Exception {
        byte[] encrypted = encrypt(CipherName.AES_256_GCM, bytes(200_000, 4));
        encrypted[100_000] ^= 1;
        assertThrows(NotAuthentic.class, () -> decrypt(CipherName.AES_256_GCM, key, encrypted));
    }

    @Test
    void decryptsGcmWrittenByTheJdksOwnCipher() throws Exception {
        byte[] plain = bytes(300_000, 5);
        byte[] nonce = bytes(12, 6);
        javax.crypto.Cipher jce = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        jce.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(128, nonce));
        byte[] body = jce.doFinal(plain);
        byte[] artifact = concat(nonce, body);
        assertArrayEquals(plain, decrypt(CipherName.AES_256_GCM, key, artifact));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 100_000, 1_000_001})
    void decryptsGcmWrittenByBouncyCastle(int size) throws Exception {
        byte[] plain = bytes(size, 13);
        byte[] nonce = bytes(12, 14);
        var bc = org.bouncycastle.crypto.modes.GCMBlockCipher.newInstance(
                org.bouncycastle.crypto.engines.AESEngine.newInstance());
        bc.init(true, new org.bouncycastle.crypto.params.AEADParameters(
                new org.bouncycastle.crypto.params.KeyParameter(key.bytes()), 128, nonce));
        byte[] body = new byte[bc.getOutputSize(size)];
        int n = bc.processBytes(plain, 0, size, body, 0);
        bc.doFinal(body, n);
        assertArrayEquals(plain, decrypt(CipherName.AES_256_GCM, key, concat(nonce, body)));
    }

    @Test
    void whatItEncryptsBouncyCastleDecrypts() throws Exception {
        byte[] plain = bytes(333_333, 15);
        byte[] artifact = encrypt(CipherName.AES_256_GCM, plain);
        var bc = org.bouncycastle.crypto.modes.GCMBlockCipher.newInstance(
                org.bouncycastle.crypto.engines.AESEngine.newInstance());
        bc.init(false, new org.bouncycastle.crypto.params.AEADParameters(
                new org.bouncycastle.crypto.params.KeyParameter(key.bytes()), 128, java.util.Arrays.copyOf(artifact, 12)));
        byte[] out = new byte[bc.getOutputSize(artifact.length - 12)];
        int n = bc.processBytes(artifact, 12, artifact.length - 12, out, 0);
        n += bc.doFinal(out, n);
        assertArrayEquals(plain, java.util.Arrays.copyOf(out, n));
    }

    @Test
    void aFlippedTagBitFailsTheTag() throws Exception {
        byte[] encrypted = encrypt(CipherName.AES_256_GCM, bytes(70_000, 16));
        encrypted[encrypted.length - 1] ^= (byte) 0x80;
        assertThrows(NotAuthentic.class, () -> decrypt(CipherName.AES_256_GCM, key, encrypted));
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes-256-cbc", "aes-256-ctr"})
    void decryptsWhatTheOpensslCliEncrypted(String name, @TempDir Path dir) throws Exception {
        assumeTrue(openssl(), "openssl is not installed");
        byte[] plain = bytes(777_777, 8);
        byte[] iv = bytes(16, 9);
        byte[] artifact = concat(iv, opensslEncrypt(name, iv, plain, dir));
        assertArrayEquals(plain, decrypt(CipherName.parse(name), key, artifact));
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes-256-cbc", "aes-256-ctr"})
    void decryptsOnArrivalFromAResumeOffsetWhatTheOpensslCliEncrypted(String name, @TempDir Path dir)
            throws Exception {
        assumeTrue(openssl(), "openssl is not installed");
        byte[] plain = bytes(300_001, 11);
        byte[] iv = bytes(16, 12);
        byte[] body = opensslEncrypt(name, iv, plain, dir);
        CipherName cipherName = CipherName.parse(name);
        // A resume at 123,456 (CBC: the block boundary below it, asked one block early).
        int offset = cipherName == CipherName.AES_256_CBC ? 123_456 - 123_456 % 16 : 123_457;
        int from = cipherName == CipherName.AES_256_CBC ? offset - 16 : offset;
        byte[] part = new byte[body.length + 32];
        int n = cipher.bodyDecryptor(cipherName, key, iv, offset).update(body, from, body.length - from, part, 0);
        int end = Math.min(n, plain.length - offset);
        assertArrayEquals(java.util.Arrays.copyOfRange(plain, offset, offset + end), java.util.Arrays.copyOf(part, end));
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes-256-cbc", "aes-256-ctr"})
    void whatItEncryptsTheOpensslCliDecrypts(String name, @TempDir Path dir) throws Exception {
        assumeTrue(openssl(), "openssl is not installed");
        byte[] plain = bytes(123_457, 10);
        byte[] artifact = encrypt(CipherName.parse(name), plain);
        byte[] iv = java.util.Arrays.copyOf(artifact, 16);
        Path in = Files.write(dir.resolve("cipher"), java.util.Arrays.copyOfRange(artifact, 16, artifact.length));
        Path out = dir.resolve("plain");
        Process process = new ProcessBuilder("openssl", "enc", "-d", "-" + name, "-K",
                HexFormat.of().formatHex(key.bytes()), "-iv", HexFormat.of().formatHex(iv), "-in", in.toString(),
                "-out", out.toString()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
        assertArrayEquals(plain, Files.readAllBytes(out));
    }

    private byte[] encrypt(CipherName name, byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cipher.encrypt(name, key, new ByteArrayInputStream(plain), out);
        return out.toByteArray();
    }

    /**
     * Decrypts a whole artifact the way a download does, in one pass: the body decrypted into what the part file
     * holds, then re-derived by the encoder, which must give back exactly the bytes served and check them.
     */
    private byte[] decrypt(CipherName name, AesKey with, byte[] artifact) {
        int h = name.headerBytes();
        byte[] header = java.util.Arrays.copyOf(artifact, h);
        byte[] part = new byte[artifact.length - h + 32];
        int n = cipher.bodyDecryptor(name, with, header, 0).update(artifact, h, artifact.length - h, part, 0);
        assertEquals(artifact.length - h, n, "every body byte decrypted on arrival");
        Cipher.BodyEncoder encoder = cipher.bodyEncoder(name, with, header);
        ByteArrayOutputStream served = new ByteArrayOutputStream();
        byte[] out = new byte[n + 64];
        served.write(out, 0, encoder.update(part, 0, n, out, 0));
        Cipher.Ending ending = encoder.finish();
        served.writeBytes(ending.servedTail());
        assertArrayEquals(java.util.Arrays.copyOfRange(artifact, h, artifact.length), served.toByteArray(),
                "the encoder gives back the bytes served");
        if (!ending.authentic()) {
            throw new NotAuthentic();
        }
        return java.util.Arrays.copyOf(part, (int) ending.plaintextLength());
    }

    /** The tag or the padding did not check out. */
    private static final class NotAuthentic extends RuntimeException {
    }

    private static int padding(CipherName name, int size) {
        return name == CipherName.AES_256_CBC ? 16 - size % 16 : 0;
    }

    /** What {@code openssl enc -NAME -K .. -iv ..} writes for {@code plain}: the ciphertext, without the IV. */
    private byte[] opensslEncrypt(String name, byte[] iv, byte[] plain, Path dir) throws Exception {
        Path in = Files.write(dir.resolve("plain"), plain);
        Path out = dir.resolve("cipher");
        Process process = new ProcessBuilder("openssl", "enc", "-" + name, "-K", HexFormat.of().formatHex(key.bytes()),
                "-iv", HexFormat.of().formatHex(iv), "-in", in.toString(), "-out", out.toString())
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
        return Files.readAllBytes(out);
    }

    static boolean openssl() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

}
