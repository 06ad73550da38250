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
