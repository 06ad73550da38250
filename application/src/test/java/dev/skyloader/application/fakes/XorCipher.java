package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A stand-in cipher for service tests: XOR with the key's first byte, then a one-byte trailer holding that byte.
 * A different key fails the trailer check, the way a GCM tag fails.
 */
public final class XorCipher implements Cipher {
    @Override
    public void decrypt(CipherName cipher, AesKey key, InputStream ciphertext, OutputStream plaintext)
            throws DecryptionException, IOException {
        byte k = key.bytes()[0];
        byte[] all = ciphertext.readAllBytes();
        if (all.length == 0 || all[all.length - 1] != k) {
            // Like a streaming cipher, it has written plaintext before it finds the tag is wrong.
            plaintext.write(all, 0, Math.max(0, all.length - 1));
            throw new DecryptionException("tag mismatch", null);
        }
        for (int i = 0; i < all.length - 1; i++) {
            plaintext.write(all[i] ^ k);
        }
    }

    @Override
    public void encrypt(CipherName cipher, AesKey key, InputStream plaintext, OutputStream ciphertext)
            throws IOException {
        byte k = key.bytes()[0];
        for (byte b : plaintext.readAllBytes()) {
            ciphertext.write(b ^ k);
        }
        ciphertext.write(k);
    }

    public static byte[] encrypt(AesKey key, byte[] plaintext) {
        var out = new java.io.ByteArrayOutputStream();
        try {
            new XorCipher().encrypt(CipherName.AES_256_CTR, key, new java.io.ByteArrayInputStream(plaintext), out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
