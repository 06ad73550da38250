package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.Digest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/** The JDK's message digests behind the Digest port: SHA-256, and SHA-512, SHA-1, MD5 for other tooling. */
final class JcaDigest implements Digest {
    static final Set<String> SUPPORTED = Set.of("SHA-256", "SHA-512", "SHA-1", "MD5");

    private final String algorithm;

    JcaDigest(String algorithm) {
        if (!SUPPORTED.contains(algorithm)) {
            throw new IllegalArgumentException("unsupported digest " + algorithm + " (supported: " + SUPPORTED + ")");
        }
        this.algorithm = algorithm;
        newMessageDigest();
    }

    @Override
    public String algorithm() {
        return algorithm;
    }

    @Override
    public Hasher newHasher() {
        MessageDigest digest = newMessageDigest();
        return new Hasher() {
            @Override
            public void update(byte[] bytes, int offset, int length) {
                digest.update(bytes, offset, length);
            }

            @Override
            public byte[] finish() {
                return digest.digest();
            }
        };
    }

    private MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + algorithm, e);
        }
    }
}
