package dev.skyloader.domain;

import java.util.HexFormat;
import java.util.Locale;
import static java.util.Objects.requireNonNull;

/** A SHA-256 digest: 64 hexadecimal characters, kept in lower case. */
public record Sha256(String hex) {
    /** The SHA-256 of no bytes at all. */
    public static final Sha256 EMPTY = new Sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    public Sha256 {
        requireNonNull(hex, "hex is null");
        String trimmed = hex.trim();
        if (trimmed.length() != 64) {
            throw new IllegalArgumentException(
                    "SHA-256 must be 64 hex characters, got " + trimmed.length() + " characters");
        }
        for (int i = 0; i < trimmed.length(); i++) {
            if (Character.digit(trimmed.charAt(i), 16) < 0) {
                throw new IllegalArgumentException(
                        "SHA-256 must be hex, found '" + trimmed.charAt(i) + "' at position " + (i + 1));
            }
        }
        hex = trimmed.toLowerCase(Locale.ROOT);
    }

    public static Sha256 of(byte[] digest) {
        requireNonNull(digest, "digest is null");
        if (digest.length != 32) {
            throw new IllegalArgumentException("SHA-256 digest must be 32 bytes, got " + digest.length);
        }
        return new Sha256(HexFormat.of().formatHex(digest));
    }

    @Override
    public String toString() {
        return hex;
    }
}
