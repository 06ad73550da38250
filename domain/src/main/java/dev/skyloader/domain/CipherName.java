package dev.skyloader.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an artifact is encrypted, with the layout of the bytes served:
 * <ul>
 *   <li>{@code aes-256-gcm}: 12-byte nonce, ciphertext, 16-byte tag;</li>
 *   <li>{@code aes-256-cbc}: 16-byte IV, then PKCS#7-padded ciphertext;</li>
 *   <li>{@code aes-256-ctr}: 16-byte IV, then the ciphertext;</li>
 *   <li>{@code none}: the plain artifact.</li>
 * </ul>
 */
public enum CipherName {
    NONE("none", 0, 0),
    AES_256_GCM("aes-256-gcm", 12, 16),
    AES_256_CBC("aes-256-cbc", 16, 0),
    AES_256_CTR("aes-256-ctr", 16, 0);

    /** GCM's limit on the plaintext, 2^39 - 256 bits: beyond it the 32-bit block counter would wrap. */
    public static final long GCM_MAX_PLAINTEXT = (1L << 36) - 32;

    private final String wireName;
    private final int headerBytes;
    private final int trailerBytes;

    CipherName(String wireName, int headerBytes, int trailerBytes) {
        this.wireName = wireName;
        this.headerBytes = headerBytes;
        this.trailerBytes = trailerBytes;
    }

    public String wireName() {
        return wireName;
    }

    /** Bytes in front of the ciphertext: the nonce or IV. */
    public int headerBytes() {
        return headerBytes;
    }

    /** Bytes after the ciphertext: the GCM tag. */
    public int trailerBytes() {
        return trailerBytes;
    }

    public boolean needsKey() {
        return this != NONE;
    }

    /**
     * Why {@code servedSize} bytes cannot be an artifact of this format, if they cannot: shorter than the nonce or IV
     * and the tag, or (CBC) a body that is not whole 16-byte blocks.
     */
    public java.util.Optional<String> sizeProblem(long servedSize) {
        if (servedSize < headerBytes + trailerBytes + (this == AES_256_CBC ? 16 : 0)) {
            return java.util.Optional.of(servedSize + " bytes are too short for " + wireName + " ("
                    + describeLayout() + ")");
        }
        if (this == AES_256_GCM && servedSize - headerBytes - trailerBytes > GCM_MAX_PLAINTEXT) {
            return java.util.Optional.of(servedSize + " bytes are more than " + wireName + " can hold (64 GiB)");
        }
        if (this == AES_256_CBC && (servedSize - headerBytes) % 16 != 0) {
            return java.util.Optional.of(servedSize + " bytes cannot be " + wireName + " (" + describeLayout() + ")");
        }
        return java.util.Optional.empty();
    }

    private String describeLayout() {
        return switch (this) {
            case NONE -> "any size";
            case AES_256_GCM -> "a 12-byte nonce, the ciphertext, a 16-byte tag";
            case AES_256_CBC -> "a 16-byte IV, then whole 16-byte blocks, at least one";
            case AES_256_CTR -> "a 16-byte IV, then the ciphertext";
        };
    }

    public static CipherName parse(String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT);
            for (CipherName cipher : values()) {
                if (cipher.wireName.equals(wanted)) {
                    return cipher;
                }
            }
        }
        throw new IllegalArgumentException("unknown cipher '" + name + "' (expected one of " + Arrays.stream(values())
                .map(CipherName::wireName).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
