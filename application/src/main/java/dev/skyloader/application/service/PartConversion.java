package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.application.port.out.FileStore.StagedFile;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.OutputStream;
import static java.util.Objects.requireNonNull;

/**
 * Rewrites a part file from one {@link dev.skyloader.domain.PartEncoding} into the other, through a staged file that
 * replaces it atomically (the old part stays whole until then). Both directions are rare: a part verified under a
 * wrong key goes back to the served bytes, so that the right key needs no new fetch; a part in the served bytes (from
 * that, or from a release before the one-pass data path) is decrypted with the key of the run.
 */
final class PartConversion {
    private final FileStore files;
    private final Cipher cipher;
    private final int bufferSize;

    PartConversion(FileStore files, Cipher cipher, int bufferSize) {
        this.files = requireNonNull(files, "files is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.bufferSize = bufferSize;
    }

    /** What a served part became. */
    record Plain(byte[] header, long partBytes) {
    }

    /**
     * Decrypts the first {@code servedBytes} bytes of the served part at {@code path} in place.
     *
     * @return the header and how many part bytes the plain part holds (CBC: whole blocks only)
     */
    Plain toPlain(String path, CipherName name, AesKey key, long servedBytes) throws IOException {
        int h = name.headerBytes();
        byte[] header = new byte[h];
        long written = 0;
        try (PartFile served = files.openPart(path); StagedFile staged = files.stage(path)) {
            readFully(served, 0, header);
            Cipher.BodyDecryptor decryptor = cipher.bodyDecryptor(name, key, header, 0);
            OutputStream out = staged.output();
            byte[] in = new byte[bufferSize];
            byte[] plain = new byte[bufferSize + 32];
            long at = h;
            while (at < servedBytes) {
                int n = served.read(at, in, 0, (int) Math.min(in.length, servedBytes - at));
                if (n <= 0) {
                    break;
                }
                int produced = decryptor.update(in, 0, n, plain, 0);
                out.write(plain, 0, produced);
                written += produced;
                at += n;
            }
            out.flush();
            staged.commit();
        }
        return new Plain(header, written);
    }

    /** Re-encrypts the plain part at {@code path} ({@code partBytes} long) back into the bytes served. */
    void toServed(String path, CipherName name, AesKey key, byte[] header, long partBytes) throws IOException {
        try (PartFile plain = files.openPart(path); StagedFile staged = files.stage(path)) {
            OutputStream out = staged.output();
            out.write(header);
            Cipher.BodyEncoder encoder = cipher.bodyEncoder(name, key, header);
            byte[] in = new byte[bufferSize];
            byte[] served = new byte[bufferSize + 32];
            long at = 0;
            while (at < partBytes) {
                int n = plain.read(at, in, 0, (int) Math.min(in.length, partBytes - at));
                if (n <= 0) {
                    throw new IOException("part file ended at byte " + at + " of " + partBytes);
                }
                out.write(served, 0, encoder.update(in, 0, n, served, 0));
                at += n;
            }
            out.write(encoder.finish().servedTail());
            out.flush();
            staged.commit();
        }
    }

    private static void readFully(PartFile file, long position, byte[] into) throws IOException {
        int got = 0;
        while (got < into.length) {
            int n = file.read(position + got, into, got, into.length - got);
            if (n <= 0) {
                throw new IOException("part file is shorter than its " + into.length + "-byte header");
            }
            got += n;
        }
    }
}
