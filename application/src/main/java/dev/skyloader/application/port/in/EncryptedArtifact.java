package dev.skyloader.application.port.in;

import dev.skyloader.domain.Sha256;
import static java.util.Objects.requireNonNull;

/**
 * What a manifest needs to know about an artifact just written: what a download is then given to check it.
 *
 * @param sha256 SHA-256 of the artifact as written (the ciphertext)
 * @param size   size of the artifact in bytes
 * @param indexPath where the zsync control file went, when one was asked for
 */
public record EncryptedArtifact(Sha256 sha256, long size, java.util.Optional<String> indexPath) {
    public EncryptedArtifact(Sha256 sha256, long size) {
        this(sha256, size, java.util.Optional.empty());
    }

    public EncryptedArtifact {
        requireNonNull(indexPath, "indexPath is null");
        requireNonNull(sha256, "sha256 is null");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
    }
}
