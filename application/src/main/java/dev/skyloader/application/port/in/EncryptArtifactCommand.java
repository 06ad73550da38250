package dev.skyloader.application.port.in;

import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.InputStream;
import static java.util.Objects.requireNonNull;

/**
 * What to encrypt, and how.
 *
 * @param cipher     the artifact format to write
 * @param key        the AES-256 key; cipher {@code none} does not use it
 * @param plaintext  the bytes to encrypt, read to their end; the caller opens and closes it
 * @param outputPath absolute path where the artifact goes
 * @param indexBlockSize with a value other than 0, also write {@code outputPath + ".zsync"}: the zsync control file
 *                   of the plaintext with blocks of this size, encrypted like the artifact (its own nonce or IV)
 *                   unless the cipher is none
 * @param plaintextLength the plaintext's length when known (-1 otherwise): the control file's sums are then kept
 *                   as short as it stores them, so that a file of many GiB is summed in a small heap
 */
public record EncryptArtifactCommand(CipherName cipher, AesKey key, InputStream plaintext, String outputPath,
                                     int indexBlockSize, long plaintextLength) {
    public EncryptArtifactCommand(CipherName cipher, AesKey key, InputStream plaintext, String outputPath) {
        this(cipher, key, plaintext, outputPath, 0, -1);
    }

    public EncryptArtifactCommand(CipherName cipher, AesKey key, InputStream plaintext, String outputPath,
                                  int indexBlockSize) {
        this(cipher, key, plaintext, outputPath, indexBlockSize, -1);
    }

    public EncryptArtifactCommand {
        if (indexBlockSize != 0 && (indexBlockSize < 16 || Integer.bitCount(indexBlockSize) != 1)) {
            throw new IllegalArgumentException("a block size is a power of two of at least 16, got "
                    + indexBlockSize);
        }
        requireNonNull(cipher, "cipher is null");
        requireNonNull(key, "key is null");
        requireNonNull(plaintext, "plaintext is null");
        requireNonNull(outputPath, "outputPath is null");
        if (outputPath.isBlank()) {
            throw new IllegalArgumentException("output path is empty");
        }
    }

    @Override
    public String toString() {
        return "EncryptArtifactCommand[" + cipher + " -> " + outputPath + "]";
    }
}
