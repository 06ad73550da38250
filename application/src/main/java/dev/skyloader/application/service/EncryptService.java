package dev.skyloader.application.service;

import dev.skyloader.application.port.in.EncryptArtifact;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.FileStore.StagedFile;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.delta.ZsyncIndex;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
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
        IndexingInputStream plaintext = command.indexBlockSize() == 0 ? null
                : new IndexingInputStream(command.plaintext(), command.indexBlockSize(), command.plaintextLength());
        EncryptedArtifact artifact;
        try (StagedFile staged = files.stage(command.outputPath())) {
            HashingOutputStream out = new HashingOutputStream(staged.output(), sha256.newHasher());
            cipher.encrypt(command.cipher(), command.key(), plaintext == null ? command.plaintext() : plaintext, out);
            out.flush();
            staged.commit();
            artifact = new EncryptedArtifact(Sha256.of(out.hasher.finish()), out.count);
        }
        if (plaintext == null) {
            return artifact;
        }
        String indexPath = command.outputPath() + ".zsync";
        String name = command.outputPath().substring(command.outputPath().lastIndexOf('/') + 1);
        byte[] index = plaintext.finish(name);
        try (StagedFile staged = files.stage(indexPath)) {
            if (command.cipher() == CipherName.NONE) {
                staged.output().write(index);
            } else {
                cipher.encrypt(command.cipher(), command.key(), new ByteArrayInputStream(index), staged.output());
            }
            staged.output().flush();
            staged.commit();
        }
        return new EncryptedArtifact(artifact.sha256(), artifact.size(), Optional.of(indexPath));
    }

    /** Block sums of the plaintext as it goes by, and its SHA-1 (the control file's header names it). */
    private static final class IndexingInputStream extends FilterInputStream {
        private final ZsyncIndex.Writer writer;
        private final MessageDigest sha1;
        private final byte[] block;
        private int filled;

        IndexingInputStream(InputStream in, int blockSize, long length) {
            super(in);
            this.writer = new ZsyncIndex.Writer(blockSize, length);
            this.block = new byte[blockSize];
            try {
                this.sha1 = MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-1", e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = in.read(bytes, offset, length);
            if (n > 0) {
                sha1.update(bytes, offset, n);
                int at = offset;
                int left = n;
                while (left > 0) {
                    int take = Math.min(left, block.length - filled);
                    System.arraycopy(bytes, at, block, filled, take);
                    filled += take;
                    at += take;
                    left -= take;
                    if (filled == block.length) {
                        writer.block(block, 0, filled);
                        filled = 0;
                    }
                }
            }
            return n;
        }

        @Override
        public long skip(long n) {
            return 0; // every byte must be read to be summed
        }

        /** The control file of everything read, for a file served as {@code name} beside it. */
        byte[] finish(String name) {
            if (filled > 0) {
                writer.block(block, 0, filled);
                filled = 0;
            }
            return writer.finish(name, name, null, HexFormat.of().formatHex(sha1.digest()));
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
