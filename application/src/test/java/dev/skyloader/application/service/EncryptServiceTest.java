package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.fakes.XorCipher;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EncryptServiceTest {
    private static final String OUTPUT = "/mem/out/model.bin.enc";

    private final InMemoryFileStore files = new InMemoryFileStore();
    private final EncryptService service = new EncryptService(files, new XorCipher(), new Sha256Digest());
    private final AesKey key = AesKey.of(new byte[]{7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

    @Test
    void theArtifactIsWrittenWithTheSha256AndSizeOfItsCiphertext() throws Exception {
        byte[] plain = "weights of a model".getBytes(StandardCharsets.US_ASCII);
        EncryptedArtifact result = service.encrypt(new EncryptArtifactCommand(CipherName.AES_256_GCM, key,
                new ByteArrayInputStream(plain), OUTPUT));
        byte[] expected = XorCipher.encrypt(CipherName.AES_256_GCM, key, plain);
        assertArrayEquals(expected, files.content(OUTPUT));
        assertEquals(new Sha256(Sha256Digest.hexOf(expected)), result.sha256());
        assertEquals(expected.length, result.size());
    }

    @Test
    void aFailedReadLeavesNoArtifact() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        };
        assertThrows(IOException.class, () -> service.encrypt(new EncryptArtifactCommand(CipherName.AES_256_GCM, key,
                failing, OUTPUT)));
        assertFalse(files.exists(OUTPUT));
    }

    @Test
    void onlyASha256DigestWillDo() {
        Digest md5 = new Digest() {
            @Override
            public String algorithm() {
                return "MD5";
            }

            @Override
            public Hasher newHasher() {
                throw new UnsupportedOperationException();
            }
        };
        assertThrows(IllegalArgumentException.class, () -> new EncryptService(files, new XorCipher(), md5));
    }

    /** The control file a delta update needs, of the plaintext, read back block by block. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(CipherName.class)
    void withABlockSizeTheControlFileOfThePlaintextIsWrittenBeside(CipherName cipher) throws Exception {
        byte[] plain = new byte[5 * 64 + 10];
        new java.util.SplittableRandom(5).nextBytes(plain);
        // Read a byte at a time for a while, then in odd chunks: the blocks come out the same.
        InputStream in = new java.io.SequenceInputStream(new ByteArrayInputStream(plain, 0, 3),
                new ByteArrayInputStream(plain, 3, plain.length - 3)) {
            private int calls;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return calls++ < 5 ? super.read(b, off, Math.min(len, 1)) : super.read(b, off, Math.min(len, 37));
            }
        };
        EncryptedArtifact result = service.encrypt(new EncryptArtifactCommand(cipher, key, in, OUTPUT, 64));

        assertEquals(java.util.Optional.of(OUTPUT + ".zsync"), result.indexPath());
        byte[] file = files.content(OUTPUT + ".zsync");
        byte[] clear = cipher == CipherName.NONE ? file : decrypt(cipher, file);
        dev.skyloader.domain.delta.ZsyncIndex index = dev.skyloader.domain.delta.ZsyncIndex.parse(clear);
        assertEquals(plain.length, index.length());
        assertEquals(6, index.blocks());
        assertEquals("model.bin.enc", index.filename().orElseThrow());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                .digest(plain)), index.sha1().orElseThrow());
        for (int i = 0; i < 6; i++) {
            byte[] block = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(plain, i * 64,
                    Math.min(plain.length, i * 64 + 64)), 64);
            assertTrue(index.checksumMatches(i, dev.skyloader.domain.delta.Md4.digest(block, 0, 64)), "block " + i);
        }
        assertArrayEquals(XorCipher.encrypt(cipher, key, plain), files.content(OUTPUT), "the artifact as before");
    }

    /** The plaintext of a whole artifact, through the cipher's download side. */
    private byte[] decrypt(CipherName cipher, byte[] served) {
        XorCipher xor = new XorCipher();
        int h = cipher.headerBytes();
        byte[] header = java.util.Arrays.copyOf(served, h);
        byte[] part = new byte[served.length + 32];
        int n = xor.bodyDecryptor(cipher, key, header, 0).update(served, h, served.length - h, part, 0);
        var check = xor.bodyEncoder(cipher, key, header);
        check.update(part, 0, n, new byte[n + 32], 0);
        var ending = check.finish();
        assertTrue(ending.authentic());
        return java.util.Arrays.copyOf(part, (int) ending.plaintextLength());
    }

    @Test
    void withoutABlockSizeNoControlFileIsWritten() throws Exception {
        EncryptedArtifact result = service.encrypt(new EncryptArtifactCommand(CipherName.NONE, key,
                new ByteArrayInputStream(new byte[100]), OUTPUT));
        assertTrue(result.indexPath().isEmpty());
        assertFalse(files.exists(OUTPUT + ".zsync"));
        assertThrows(IllegalArgumentException.class, () -> new EncryptArtifactCommand(CipherName.NONE, key,
                new ByteArrayInputStream(new byte[1]), OUTPUT, 48));
        assertThrows(IllegalArgumentException.class, () -> new EncryptArtifactCommand(CipherName.NONE, key,
                new ByteArrayInputStream(new byte[1]), OUTPUT, 8));
    }
}
