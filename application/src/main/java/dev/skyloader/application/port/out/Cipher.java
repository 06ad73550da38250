package dev.skyloader.application.port.out;

import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Decrypts (and, for publishers, encrypts) artifacts in the formats of {@link CipherName}, streaming in bounded
 * memory whatever the size of the artifact.
 *
 * <p>Plaintext may reach {@code plaintext} before the whole input has been checked: the caller writes it to a
 * temporary file that becomes the output only when {@link #decrypt} returns normally.
 */
public interface Cipher {
    /**
     * @throws DecryptionException the tag (GCM) or the padding (CBC) did not check out, or the input is too short:
     *                             a wrong key or a damaged artifact
     * @throws IOException         reading or writing failed
     */
    void decrypt(CipherName cipher, AesKey key, InputStream ciphertext, OutputStream plaintext)
            throws DecryptionException, IOException;

    /** Writes the artifact format of {@code cipher}, with a fresh random nonce or IV. */
    void encrypt(CipherName cipher, AesKey key, InputStream plaintext, OutputStream ciphertext) throws IOException;

    /** Decryption failed for a reason other than I/O. The message never contains key material. */
    final class DecryptionException extends Exception {
        public DecryptionException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
