package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.Digest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The JDK's SHA-256 behind the Digest port, for application tests. */
public final class Sha256Digest implements Digest {
    @Override
    public String algorithm() {
        return "SHA-256";
    }

    @Override
    public Hasher newHasher() {
        MessageDigest md = sha256();
        return new Hasher() {
            @Override
            public void update(byte[] bytes, int offset, int length) {
                md.update(bytes, offset, length);
            }

            @Override
            public byte[] finish() {
                return md.digest();
            }
        };
    }

    public static byte[] of(byte[] bytes) {
        return sha256().digest(bytes);
    }

    public static String hexOf(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(of(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
