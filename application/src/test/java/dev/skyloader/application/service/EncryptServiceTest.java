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
}
