package dev.skyloader.domain;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import static java.util.Objects.requireNonNull;

/**
 * An AES-256 key: exactly 32 bytes. It is never written to disk and never printed: {@link #toString()} hides it.
 * Call {@link #destroy()} when done to overwrite the bytes held here.
 */
public final class AesKey {
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private AesKey(byte[] bytes) {
        this.bytes = bytes;
    }

    public static AesKey of(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes, got " + bytes.length);
        }
        return new AesKey(bytes.clone());
    }

    /** Reads a key written as 64 hex characters or as base64 (standard or URL-safe) of 32 bytes; whitespace is ignored. */
    public static AesKey parse(String text) {
        requireNonNull(text, "text is null");
        String compact = text.replaceAll("\\s+", "");
        if (compact.isEmpty()) {
            throw new IllegalArgumentException("AES-256 key is empty");
        }
        if (compact.length() == 64 && compact.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return new AesKey(HexFormat.of().parseHex(compact));
        }
        if (compact.length() != 64 && compact.length() % 4 != 0
                && compact.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("AES-256 key in hex must be 64 characters, got " + compact.length());
        }
        byte[] decoded;
        try {
            decoded = compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(compact)
                    : Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("AES-256 key is neither 64 hex characters nor base64");
        }
        if (decoded.length != LENGTH) {
            Arrays.fill(decoded, (byte) 0);
            throw new IllegalArgumentException("AES-256 key must be 32 bytes, got " + decoded.length + " bytes");
        }
        return new AesKey(decoded);
    }

    /** A copy of the key bytes; the caller should overwrite it when done. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public String toString() {
        return "AesKey[redacted]";
    }
}
