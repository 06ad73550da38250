package dev.skyloader.application.service;

import dev.skyloader.application.port.in.EncryptArtifact;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.FileStore.StagedFile;
import dev.skyloader.domain.Sha256;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import static java.util.Objects.requireNonNull;

/**
 * Encrypts through the Cipher port into a staged file, hashing and counting the ciphertext on its way out: the
 * artifact is read once, and its SHA-256 and size are those of exactly the bytes put in place.
 */
public final class EncryptService implements EncryptArtifact {
    private final FileStore files;
    private final Cipher cipher;
    private final Digest sha256;

    public EncryptService(FileStore files, Cipher cipher, Digest sha256) {
        this.files = requireNonNull(files, "files is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.sha256 = requireNonNull(sha256, "sha256 is null");
        if (!"SHA-256".equals(sha256.algorithm())) {
            throw new IllegalArgumentException("a manifest states SHA-256, not " + sha256.algorithm());
        }
    }

    @Override
    public EncryptedArtifact encrypt(EncryptArtifactCommand command) throws IOException {
        try (StagedFile staged = files.stage(command.outputPath())) {
            HashingOutputStream out = new HashingOutputStream(staged.output(), sha256.newHasher());
            cipher.encrypt(command.cipher(), command.key(), command.plaintext(), out);
            out.flush();
            staged.commit();
            return new EncryptedArtifact(Sha256.of(out.hasher.finish()), out.count);
        }
    }

    /** Feeds every byte written through to the hasher and counts it. */
    private static final class HashingOutputStream extends FilterOutputStream {
        private final Digest.Hasher hasher;
        private long count;

        HashingOutputStream(OutputStream out, Digest.Hasher hasher) {
            super(out);
            this.hasher = hasher;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            hasher.update(new byte[]{(byte) b}, 0, 1);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            hasher.update(bytes, offset, length);
            count += length;
        }
    }
}
