package dev.skyloader.application.port.in;

import dev.skyloader.domain.Sha256;
import static java.util.Objects.requireNonNull;

/**
 * What a manifest needs to know about an artifact just written: what a download is then given to check it.
 *
 * @param sha256 SHA-256 of the artifact as written (the ciphertext)
 * @param size   size of the artifact in bytes
 */
public record EncryptedArtifact(Sha256 sha256, long size) {
    public EncryptedArtifact {
        requireNonNull(sha256, "sha256 is null");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
    }
}
