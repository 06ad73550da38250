package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A stand-in cipher for service tests with the real layouts of {@link CipherName} (header, body, GCM's 16-byte
 * trailer, CBC's padding and blocks) and a toy keystream: body byte {@code i} is XORed with
 * {@code key[0] ^ (i * 31 + 7)}, so a byte decrypted at the wrong offset comes out wrong. The GCM "tag" is served as
 * 16 bytes of {@code key[0] ^ 0x5a}: a different key fails it, the way a GCM tag fails. CBC pads as PKCS#7, resumes only on a
 * block boundary after swallowing the block before it, and emits whole blocks only, as real CBC does.
 */
public final class XorCipher implements Cipher {
    private static byte stream(byte k, long i) {
        return (byte) (k ^ (i * 31 + 7));
    }

    private static byte[] header(CipherName cipher) {
        byte[] header = new byte[cipher.headerBytes()];
        for (int i = 0; i < header.length; i++) {
            header[i] = (byte) (0x40 + i);
        }
        return header;
    }

    @Override
    public BodyDecryptor bodyDecryptor(CipherName cipher, AesKey key, byte[] header, long offset) {
        byte k = key.bytes()[0];
        if (cipher != CipherName.AES_256_CBC) {
            long[] at = {offset};
            return (in, off, len, out, outOff) -> {
                for (int i = 0; i < len; i++) {
                    out[outOff + i] = (byte) (in[off + i] ^ stream(k, at[0]++));
                }
                return len;
            };
        }
        if (offset % 16 != 0) {
            throw new IllegalArgumentException("CBC resumes on a block boundary, not at " + offset);
        }
        return new BodyDecryptor() {
            private int chainLeft = offset == 0 ? 0 : 16;
            private final byte[] pending = new byte[16];
            private int pendingLength;
            private long at = offset;

            @Override
            public int update(byte[] in, int off, int len, byte[] out, int outOff) {
                int produced = 0;
                for (int i = 0; i < len; i++) {
                    if (chainLeft > 0) {
                        chainLeft--;
                        continue;
                    }
                    pending[pendingLength++] = in[off + i];
                    if (pendingLength == 16) {
                        for (int j = 0; j < 16; j++) {
                            out[outOff + produced++] = (byte) (pending[j] ^ stream(k, at++));
                        }
                        pendingLength = 0;
                    }
                }
                return produced;
            }
        };
    }

    @Override
    public BodyEncoder bodyEncoder(CipherName cipher, AesKey key, byte[] header) {
        byte k = key.bytes()[0];
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        return new BodyEncoder() {
            private long at;

            @Override
            public int update(byte[] part, int offset, int length, byte[] out, int outOffset) {
                seen.write(part, offset, length);
                int release = cipher == CipherName.AES_256_GCM ? (int) Math.max(0, seen.size() - 16 - at) : length;
                byte[] all = seen.toByteArray();
                for (int i = 0; i < release; i++) {
                    out[outOffset + i] = (byte) (all[(int) at] ^ stream(k, at));
                    at++;
                }
                return release;
            }

            @Override
            public Ending finish() {
                byte[] all = seen.toByteArray();
                switch (cipher) {
                    case AES_256_GCM -> {
                        if (all.length < 16) {
                            return new Ending(new byte[0], false, 0);
                        }
                        byte[] tag = new byte[16];
                        boolean ok = true;
                        for (int i = 0; i < 16; i++) {
                            tag[i] = (byte) (all[(int) at] ^ stream(k, at));
                            ok &= tag[i] == (byte) (k ^ 0x5a);
                            at++;
                        }
                        return new Ending(tag, ok, all.length - 16);
                    }
                    case AES_256_CBC -> {
                        int pad = all.length == 0 || all.length % 16 != 0 ? 0 : all[all.length - 1] & 0xff;
                        boolean ok = pad >= 1 && pad <= 16;
                        for (int i = all.length - pad; ok && i < all.length; i++) {
                            ok = (all[i] & 0xff) == pad;
                        }
                        return new Ending(new byte[0], ok, ok ? all.length - pad : all.length);
                    }
                    default -> {
                        return new Ending(new byte[0], true, all.length);
                    }
                }
            }
        };
    }

    @Override
    public void encrypt(CipherName cipher, AesKey key, InputStream plaintext, OutputStream ciphertext)
            throws IOException {
        ciphertext.write(encrypt(cipher, key, plaintext.readAllBytes()));
    }

    /** The served bytes of {@code plaintext} under {@code cipher} and {@code key}. */
    public static byte[] encrypt(CipherName cipher, AesKey key, byte[] plaintext) {
        byte k = key.bytes()[0];
        byte[] body = plaintext;
        if (cipher == CipherName.AES_256_CBC) {
            int pad = 16 - plaintext.length % 16;
            body = Arrays.copyOf(plaintext, plaintext.length + pad);
            Arrays.fill(body, plaintext.length, body.length, (byte) pad);
        } else if (cipher == CipherName.AES_256_GCM) {
            body = Arrays.copyOf(plaintext, plaintext.length + 16);
            Arrays.fill(body, plaintext.length, body.length, (byte) (k ^ 0x5a));
        }
        byte[] header = header(cipher);
        byte[] served = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, served, header.length, body.length);
        // GCM's tag is served as it is, like a real tag (not under the keystream).
        int encrypted = cipher == CipherName.AES_256_GCM ? plaintext.length : body.length;
        for (int i = 0; i < encrypted; i++) {
            served[header.length + i] = (byte) (body[i] ^ (cipher == CipherName.NONE ? 0 : stream(k, i)));
        }
        return served;
    }
}
