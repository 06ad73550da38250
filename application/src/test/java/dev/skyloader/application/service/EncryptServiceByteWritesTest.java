package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/** A cipher may write its output a byte at a time: every byte is still written, hashed and counted. */
class EncryptServiceByteWritesTest {
    private static final String OUTPUT = "/mem/out/model.bin.enc";

    /** Writes the header byte 0x42, then the plaintext with every bit flipped, one {@code write(int)} per byte. */
    private static final class ByteAtATime implements Cipher {
        @Override
        public void encrypt(CipherName cipher, AesKey key, InputStream plaintext, OutputStream ciphertext)
                throws IOException {
            ciphertext.write(0x42);
            for (byte b : plaintext.readAllBytes()) {
                ciphertext.write(~b);
            }
        }

        @Override
        public BodyDecryptor bodyDecryptor(CipherName cipher, AesKey key, byte[] header, long offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BodyEncoder bodyEncoder(CipherName cipher, AesKey key, byte[] header) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void bytesWrittenOneAtATimeAreWrittenHashedAndCounted() throws Exception {
        InMemoryFileStore files = new InMemoryFileStore();
        EncryptService service = new EncryptService(files, new ByteAtATime(), new Sha256Digest());

        EncryptedArtifact result = service.encrypt(new EncryptArtifactCommand(CipherName.AES_256_CTR,
                AesKey.of(new byte[32]), new ByteArrayInputStream(new byte[]{0, 1, 2}), OUTPUT));

        byte[] expected = {0x42, (byte) 0xff, (byte) 0xfe, (byte) 0xfd};
        assertArrayEquals(expected, files.content(OUTPUT));
        assertEquals(new Sha256(Sha256Digest.hexOf(expected)), result.sha256());
        assertEquals(4, result.size());
    }
}
