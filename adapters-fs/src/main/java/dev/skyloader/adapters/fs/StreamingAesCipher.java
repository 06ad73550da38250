package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-256 in the artifact formats of {@link CipherName}, in bounded memory.
 *
 * <p>GCM goes through Bouncy Castle's GCM mode, which releases plaintext as it goes (holding back only the last 16
 * bytes, the tag): the JCE's {@code AES/GCM/NoPadding} keeps every byte until {@code doFinal}, which for a 1 GB
 * model means a 1 GB heap. CBC and CTR stream through the JCE.
 */
final class StreamingAesCipher implements Cipher {
    private static final int CHUNK = 64 << 10;
    private static final int GCM_NONCE = 12;
    private static final int GCM_TAG_BITS = 128;
    private static final int IV = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public void decrypt(CipherName cipher, AesKey key, InputStream ciphertext, OutputStream plaintext)
            throws DecryptionException, IOException {
        switch (cipher) {
            case NONE -> ciphertext.transferTo(plaintext);
            case AES_256_GCM -> gcm(false, key, readHeader(ciphertext, GCM_NONCE, cipher), ciphertext, plaintext);
            case AES_256_CBC -> jce("AES/CBC/PKCS5Padding", javax.crypto.Cipher.DECRYPT_MODE, key,
                    readHeader(ciphertext, IV, cipher), ciphertext, plaintext);
            case AES_256_CTR -> jce("AES/CTR/NoPadding", javax.crypto.Cipher.DECRYPT_MODE, key,
                    readHeader(ciphertext, IV, cipher), ciphertext, plaintext);
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
                    gcm(true, key, nonce, plaintext, ciphertext);
                }
                case AES_256_CBC -> {
                    byte[] iv = random(IV);
                    ciphertext.write(iv);
                    jce("AES/CBC/PKCS5Padding", javax.crypto.Cipher.ENCRYPT_MODE, key, iv, plaintext, ciphertext);
                }
                case AES_256_CTR -> {
                    byte[] iv = random(IV);
                    ciphertext.write(iv);
                    jce("AES/CTR/NoPadding", javax.crypto.Cipher.ENCRYPT_MODE, key, iv, plaintext, ciphertext);
                }
            }
        } catch (DecryptionException e) {
            throw new IllegalStateException("encryption cannot fail a check", e);
        }
        ciphertext.flush();
    }

    private static void gcm(boolean encrypt, AesKey key, byte[] nonce, InputStream in, OutputStream out)
            throws IOException, DecryptionException {
        byte[] keyBytes = key.bytes();
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        try {
            gcm.init(encrypt, new AEADParameters(new KeyParameter(keyBytes), GCM_TAG_BITS, nonce));
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
        byte[] input = new byte[CHUNK];
        // At most the chunk plus what GCM held back from the previous one (a block and a tag).
        byte[] output = new byte[CHUNK + 64];
        int n;
        while ((n = in.read(input)) > 0) {
            int produced = gcm.processBytes(input, 0, n, output, 0);
            out.write(output, 0, produced);
        }
        try {
            byte[] last = new byte[gcm.getOutputSize(0)];
            int produced = gcm.doFinal(last, 0);
            out.write(last, 0, produced);
        } catch (InvalidCipherTextException e) {
            throw new DecryptionException("authentication tag mismatch (wrong key, or the artifact is damaged)", e);
        }
    }

    private static void jce(String transformation, int mode, AesKey key, byte[] iv, InputStream in, OutputStream out)
            throws IOException, DecryptionException {
        byte[] keyBytes = key.bytes();
        javax.crypto.Cipher cipher;
        try {
            cipher = javax.crypto.Cipher.getInstance(transformation);
            cipher.init(mode, new SecretKeySpec(keyBytes, "AES"), new IvParameterSpec(iv));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot do " + transformation, e);
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
        byte[] input = new byte[CHUNK];
        int n;
        while ((n = in.read(input)) > 0) {
            byte[] produced = cipher.update(input, 0, n);
            if (produced != null) {
                out.write(produced);
            }
        }
        try {
            out.write(cipher.doFinal());
        } catch (BadPaddingException e) {
            throw new DecryptionException("bad padding (wrong key, or the artifact is damaged)", e);
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("ciphertext is not a whole number of blocks (damaged artifact)", e);
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
