package dev.skyloader.application.port.out;

import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * AES-256 in the artifact formats of {@link CipherName}, in bounded memory whatever the size of the artifact: the
 * download's side decrypts the body on arrival, from any offset, and re-derives the served bytes to check them; the
 * publisher's side encrypts.
 *
 * <p>Plaintext comes out before the tag or the padding has been checked: the caller keeps it in the part file,
 * which becomes the output only when {@link BodyEncoder#finish()} said the artifact is authentic.
 */
public interface Cipher {
    /**
     * Decrypts the served body on arrival, from any offset: what it returns is what the part file holds at that
     * offset (see {@code PartEncoding.PLAIN}). The body starts after the header (nonce or IV); for GCM the 16-byte tag
     * is part of the body here and comes out XORed with the keystream that follows the plaintext.
     *
     * @param header the nonce or IV, {@link CipherName#headerBytes()} long
     * @param offset where in the body the first byte fed will be. For CBC a multiple of 16, and when it is not 0 the
     *               first 16 bytes fed must be the ciphertext block before it: they chain, and produce nothing
     */
    BodyDecryptor bodyDecryptor(CipherName cipher, AesKey key, byte[] header, long offset);

    /**
     * Re-derives the served body from what the part file holds, fed in order from body byte 0, and checks it: the
     * inverse of {@link #bodyDecryptor}, used to hash exactly the bytes that were served and to check the GCM tag or
     * the CBC padding without keeping the ciphertext anywhere.
     */
    BodyEncoder bodyEncoder(CipherName cipher, AesKey key, byte[] header);

    /** One stream of served body bytes in, part file bytes out. Not thread-safe. */
    interface BodyDecryptor {
        /**
         * @param out room for {@code length + 16} bytes from {@code outOffset}
         * @return bytes written to {@code out}: fewer than {@code length} while CBC holds back an unfinished block
         */
        int update(byte[] in, int offset, int length, byte[] out, int outOffset);
    }

    /** Part file bytes in (from body byte 0, in order), served bytes out. Not thread-safe. */
    interface BodyEncoder {
        /**
         * @param out room for {@code length + 32} bytes from {@code outOffset}
         * @return served bytes written to {@code out}; the last bytes may be held back until {@link #finish}
         */
        int update(byte[] part, int offset, int length, byte[] out, int outOffset);

        /** The part ended here: the served bytes held back, and whether the tag (GCM) or the padding (CBC) holds. */
        Ending finish();
    }

    /**
     * How a re-derived body ended.
     *
     * @param servedTail      the last served bytes (GCM: the tag), to hash after everything {@code update} returned
     * @param authentic       the GCM tag matched, or the CBC padding was well-formed; always true for CTR and none
     * @param plaintextLength bytes of the part file that are the artifact (without GCM tag or CBC padding)
     */
    record Ending(byte[] servedTail, boolean authentic, long plaintextLength) {
        public Ending {
            servedTail = servedTail.clone();
            if (plaintextLength < 0) {
                throw new IllegalArgumentException("plaintext length must not be negative");
            }
        }

        @Override
        public byte[] servedTail() {
            return servedTail.clone();
        }
    }

    /** Writes the artifact format of {@code cipher}, with a fresh random nonce or IV. */
    void encrypt(CipherName cipher, AesKey key, InputStream plaintext, OutputStream ciphertext) throws IOException;
}
