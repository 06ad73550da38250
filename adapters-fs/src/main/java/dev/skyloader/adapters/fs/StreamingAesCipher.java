package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256 in the artifact formats of {@link CipherName}, streaming in bounded memory, on the JDK's AES and GHASH
 * intrinsics.
 *
 * <p>GCM decryption cannot use the JCE's {@code AES/GCM/NoPadding} decrypt: it releases no plaintext before
 * {@code doFinal}, so a 1 GB model would need a 1 GB heap. Bouncy Castle's GCM streams, but in pure Java (about
 * 90 MB/s here, 12 s per GiB). Here GCM decryption is built from two streaming JCE operations instead: AES-CTR from
 * the GCM counter {@code nonce || 2} gives the plaintext, and a GCM encryption of that plaintext under the same key
 * and nonce reproduces the ciphertext served, and so its tag, which is compared with the tag served in constant
 * time. No new ciphertext ever leaves this class under that nonce: the re-encryption is identical to what was
 * served and is discarded. CBC and CTR stream through the JCE as they are.
 */
final class StreamingAesCipher implements Cipher {
    private static final int CHUNK = 64 << 10;
    private static final int GCM_NONCE = 12;
    private static final int GCM_TAG = 16;
    private static final int GCM_TAG_BITS = 128;
    /** GCM's limit on the plaintext, 2^39 - 256 bits; beyond it the 32-bit block counter would wrap. */
    private static final long GCM_MAX_PLAINTEXT = (1L << 36) - 32;
    private static final int IV = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public void decrypt(CipherName cipher, AesKey key, InputStream ciphertext, OutputStream plaintext)
            throws DecryptionException, IOException {
        switch (cipher) {
            case NONE -> ciphertext.transferTo(plaintext);
            case AES_256_GCM -> decryptGcm(key, readHeader(ciphertext, GCM_NONCE, cipher), ciphertext, plaintext);
            case AES_256_CBC -> stream(init("AES/CBC/PKCS5Padding", javax.crypto.Cipher.DECRYPT_MODE, key,
                    new IvParameterSpec(readHeader(ciphertext, IV, cipher))), ciphertext, plaintext);
            case AES_256_CTR -> stream(init("AES/CTR/NoPadding", javax.crypto.Cipher.DECRYPT_MODE, key,
                    new IvParameterSpec(readHeader(ciphertext, IV, cipher))), ciphertext, plaintext);
        }
        plaintext.flush();
    }

    @Override
    public void encrypt(CipherName cipher, AesKey key, InputStream plaintext, OutputStream ciphertext)
            throws IOException {
        try {
            switch (cipher) {
                case NONE -> plaintext.transferTo(ciphertext);
                case AES_256_GCM -> {
                    byte[] nonce = random(GCM_NONCE);
                    ciphertext.write(nonce);
                    stream(init("AES/GCM/NoPadding", javax.crypto.Cipher.ENCRYPT_MODE, key,
                            new GCMParameterSpec(GCM_TAG_BITS, nonce)), plaintext, ciphertext);
                }
                case AES_256_CBC -> {
                    byte[] iv = random(IV);
                    ciphertext.write(iv);
                    stream(init("AES/CBC/PKCS5Padding", javax.crypto.Cipher.ENCRYPT_MODE, key,
                            new IvParameterSpec(iv)), plaintext, ciphertext);
                }
                case AES_256_CTR -> {
                    byte[] iv = random(IV);
                    ciphertext.write(iv);
                    stream(init("AES/CTR/NoPadding", javax.crypto.Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv)),
                            plaintext, ciphertext);
                }
            }
        } catch (DecryptionException e) {
            throw new IllegalStateException("encryption cannot fail a check", e);
        }
        ciphertext.flush();
    }

    private static void decryptGcm(AesKey key, byte[] nonce, InputStream in, OutputStream out)
            throws IOException, DecryptionException {
        byte[] counter = Arrays.copyOf(nonce, 16);
        counter[15] = 2;
        javax.crypto.Cipher ctr = init("AES/CTR/NoPadding", javax.crypto.Cipher.DECRYPT_MODE, key,
                new IvParameterSpec(counter));
        javax.crypto.Cipher gcm = init("AES/GCM/NoPadding", javax.crypto.Cipher.ENCRYPT_MODE, key,
                new GCMParameterSpec(GCM_TAG_BITS, nonce));
        // The last 16 bytes of the stream are the tag: always hold back 16 bytes until the end is known.
        byte[] buffer = new byte[CHUNK + GCM_TAG];
        byte[] plain = new byte[CHUNK + GCM_TAG];
        byte[] discard = new byte[CHUNK + 2 * GCM_TAG];
        int held = 0;
        long total = 0;
        int n;
        while ((n = in.read(buffer, held, CHUNK)) >= 0) {
            held += n;
            if (held <= GCM_TAG) {
                continue;
            }
            int body = held - GCM_TAG;
            total += body;
            if (total > GCM_MAX_PLAINTEXT) {
                throw new DecryptionException("artifact is larger than AES-GCM allows (64 GiB)", null);
            }
            try {
                int produced = ctr.update(buffer, 0, body, plain, 0);
                gcm.update(plain, 0, produced, discard, 0);
                out.write(plain, 0, produced);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("buffers are sized for the cipher", e);
            }
            System.arraycopy(buffer, body, buffer, 0, GCM_TAG);
            held = GCM_TAG;
        }
        if (held < GCM_TAG) {
            throw new DecryptionException("artifact is too short for aes-256-gcm: no 16-byte tag", null);
        }
        byte[] computed;
        try {
            byte[] last = gcm.doFinal();
            computed = Arrays.copyOfRange(last, last.length - GCM_TAG, last.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("GCM encryption cannot fail", e);
        }
        if (!MessageDigest.isEqual(computed, Arrays.copyOf(buffer, GCM_TAG))) {
            throw new DecryptionException("authentication tag mismatch (wrong key, or the artifact is damaged)", null);
        }
    }

    private static javax.crypto.Cipher init(String transformation, int mode, AesKey key, AlgorithmParameterSpec spec) {
        byte[] keyBytes = key.bytes();
        try {
            javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(transformation);
            cipher.init(mode, new SecretKeySpec(keyBytes, "AES"), spec);
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot do " + transformation, e);
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
    }

    private static void stream(javax.crypto.Cipher cipher, InputStream in, OutputStream out)
            throws IOException, DecryptionException {
        byte[] input = new byte[CHUNK];
        byte[] output = new byte[cipher.getOutputSize(CHUNK) + 2 * GCM_TAG];
        int n;
        try {
            while ((n = in.read(input)) > 0) {
                int produced = cipher.update(input, 0, n, output, 0);
                out.write(output, 0, produced);
            }
            out.write(cipher.doFinal());
        } catch (BadPaddingException e) {
            throw new DecryptionException("bad padding (wrong key, or the artifact is damaged)", e);
        } catch (IllegalBlockSizeException e) {
            throw new DecryptionException("ciphertext is not a whole number of blocks (damaged artifact)", e);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("buffers are sized for the cipher", e);
        }
    }

    private static byte[] readHeader(InputStream in, int length, CipherName cipher)
            throws IOException, DecryptionException {
        byte[] header = in.readNBytes(length);
        if (header.length < length) {
            throw new DecryptionException("artifact is too short for " + cipher + ": no " + length + "-byte "
                    + (cipher == CipherName.AES_256_GCM ? "nonce" : "IV"), null);
        }
        return header;
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
