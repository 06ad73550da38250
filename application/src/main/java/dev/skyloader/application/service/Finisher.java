package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.application.port.in.DownloadResult.Outcome;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.Sha256;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * The two ends of a download: the free-space check before bytes are paid for, and, once every byte is here, the
 * verdict of the verifier and the rename of the part file into place.
 */
final class Finisher {
    /** How the end went. */
    sealed interface Ending {
    }

    /** The run is over. */
    record Done(DownloadResult result) implements Ending {
    }

    /** The SHA-256 did not match and restarts remain: the part is empty again, go on from byte 0. */
    record Again() implements Ending {
    }

    private final Journal journal;
    private final Part part;
    private final FileStore files;
    private final PartConversion conversion;
    private final CipherName cipher;
    private final Optional<AesKey> key;
    private final int maxRestarts;
    private final long freeSpaceMargin;
    private final DownloadListener listener;
    private final DownloadId id;
    private final String outputPath;

    Finisher(Journal journal, Part part, FileStore files, PartConversion conversion, CipherName cipher,
             Optional<AesKey> key, int maxRestarts, long freeSpaceMargin, DownloadListener listener) {
        this.journal = requireNonNull(journal, "journal is null");
        this.part = requireNonNull(part, "part is null");
        this.files = requireNonNull(files, "files is null");
        this.conversion = requireNonNull(conversion, "conversion is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.key = requireNonNull(key, "key is null");
        this.maxRestarts = maxRestarts;
        this.freeSpaceMargin = freeSpaceMargin;
        this.listener = requireNonNull(listener, "listener is null");
        this.id = journal.read(d -> d.id());
        this.outputPath = journal.read(d -> d.outputPath());
    }

    /**
     * Pauses, before a byte is paid for, when the disk cannot hold the rest of the download with a margin; fails
     * when even the whole file system could not. The part file becomes the output, so nothing else needs room.
     *
     * @return the result that ends the run, or null when there is room
     */
    DownloadResult pauseUnlessRoom() throws IOException {
        OptionalLong size = journal.read(d -> d.expectedSize());
        if (size.isEmpty()) {
            return null;
        }
        long whole = files.totalSpace(outputPath);
        if (size.getAsLong() > whole) {
            // No space can be freed to make it fit: waiting would wait for ever.
            String message = "the artifact is " + size.getAsLong() + " bytes, more than the whole file system of "
                    + outputPath + " holds (" + whole + " bytes)";
            journal.change((d, now) -> d.fail(message, now));
            return journal.result(Outcome.FAILED, message);
        }
        long needed = size.getAsLong() - journal.bytes() + freeSpaceMargin;
        long free = files.usableSpace(outputPath);
        if (free >= needed) {
            return null;
        }
        String message = "not enough disk space for " + outputPath + ": " + needed
                + " bytes needed (the rest of the download and a margin), " + free
                + " free; free some space and run again";
        journal.change((d, now) -> d.pauseForAction(message, now));
        return journal.result(Outcome.NOT_FINISHED, message);
    }

    Ending finish() throws IOException, InterruptedException {
        journal.change((d, now) -> d.moveTo(DownloadState.VERIFYING, now));
        OptionalLong total = journal.read(d -> d.expectedSize());
        listener.progress(id, DownloadState.VERIFYING, journal.bytes(), total);
        Verifier.Verified verified = part.verify();
        Sha256 expected = journal.read(d -> d.expectedSha256());
        if (!verified.sha256().equals(expected)) {
            boolean[] again = new boolean[1];
            part.delete(() -> again[0] = verificationFailed(verified.sha256()));
            String message = journal.read(d -> d.lastError().orElseThrow());
            if (!again[0]) {
                return new Done(journal.result(Outcome.FAILED, message));
            }
            listener.notice(id, message);
            part.open(0);
            return new Again();
        }
        if (!verified.authentic()) {
            return new Done(wrongKey());
        }
        part.syncNow();
        long length = verified.plaintextLength();
        journal.change((d, now) -> d.placing(length, now));
        if (cipher != CipherName.NONE) {
            listener.progress(id, DownloadState.DECRYPTING, journal.bytes(), total);
        }
        part.place(outputPath, length);
        journal.change((d, now) -> d.complete(now));
        listener.progress(id, DownloadState.COMPLETE, journal.bytes(), total);
        return new Done(journal.result(Outcome.COMPLETE, "complete: " + outputPath));
    }

    private boolean verificationFailed(Sha256 actual) throws IOException {
        boolean[] again = new boolean[1];
        journal.change((d, now) -> again[0] = d.verificationFailed(actual, maxRestarts, now));
        return again[0];
    }

    /**
     * The bytes served are the right ones (the SHA-256 matched) but the tag or the padding is wrong: the key is. The
     * part holds them decrypted under that key; turn it back into the served bytes and keep it, so that the run with
     * the right key fetches nothing again. Nothing is put in place.
     */
    private DownloadResult wrongKey() throws IOException, InterruptedException {
        byte[] header = part.header().orElseThrow();
        long partBytes = part.size();
        part.close();
        conversion.toServed(part.path(), cipher, key.orElseThrow(), header, partBytes);
        String reason = cipher == CipherName.AES_256_GCM ? "the authentication tag does not match"
                : "the padding is not valid";
        String message = "decryption failed: " + reason + ", although the SHA-256 of the download matched: wrong key"
                + " (the verified download is kept: run again with the right key)";
        journal.change((d, now) -> {
            d.recordPartEncoding(PartEncoding.SERVED, now);
            d.fail(message, now);
        });
        return journal.result(Outcome.FAILED, message);
    }
}
