package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.BootId;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.PieceMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/** What a run finds on disk from the runs before it, and how much of it counts. */
final class PartRecovery {
    private final FileStore files;
    private final Cipher cipher;
    private final BootId bootId;
    private final int bufferSize;

    PartRecovery(FileStore files, Cipher cipher, BootId bootId, int bufferSize) {
        this.files = requireNonNull(files, "files is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.bootId = requireNonNull(bootId, "bootId is null");
        this.bufferSize = bufferSize;
    }

    /**
     * Decides how much of the part file counts and opens it there: every byte it holds after a crash of the process
     * alone, only the synced ones after another boot. A part still in the served bytes (from a wrong key, or from a
     * release before the one-pass data path) is decrypted first.
     */
    void recover(Journal journal, Part part, DownloadCommand command)
            throws IOException, InterruptedException {
        Download d = journal.download();
        DownloadListener listener = command.listener();
        CipherName name = command.cipher();
        Optional<String> boot = bootId.current();
        boolean sameBoot = boot.isPresent() && d.bootId().equals(boot);
        long onDisk = files.size(d.partPath()).orElse(0);
        long limit = d.expectedSize().orElse(Long.MAX_VALUE);
        int h = name.headerBytes();
        if (d.partEncoding() == PartEncoding.SERVED) {
            // A served part holds the header too: its bytes count one for one.
            long trusted = Math.min(onDisk, sameBoot ? limit : d.bytesDurable());
            if (trusted > h) {
                listener.notice(d.id(), "decrypting the " + trusted + " bytes already here with this run's key");
                PartConversion.Plain plain = new PartConversion(files, cipher, bufferSize)
                        .toPlain(d.partPath(), name, command.key().orElseThrow(), trusted);
                long served = h + plain.partBytes();
                journal.change((download, now) -> {
                    download.adoptPartFile(served, served, now);
                    download.recordHeader(HexFormat.of().formatHex(plain.header()), now);
                    download.recordPartEncoding(PartEncoding.PLAIN, now);
                });
                finishRecovery(journal, part, boot, plain.partBytes(), served);
                return;
            }
            files.delete(d.partPath());
            onDisk = 0;
            journal.change((download, now) -> download.recordPartEncoding(PartEncoding.PLAIN, now));
        }
        boolean headerKnown = h == 0 || d.header().isPresent();
        PieceMap recorded = d.pieces();
        if (headerKnown && (recorded.present() != recorded.prefix() || d.piecewise())) {
            recoverPieces(journal, part, d, sameBoot, onDisk, boot, name == CipherName.AES_256_CBC, listener);
            return;
        }
        long servedTrusted = Math.min(onDisk + h, sameBoot ? limit : d.bytesDurable());
        long partBytes = headerKnown ? Math.max(0, servedTrusted - h) : 0;
        if (name == CipherName.AES_256_CBC) {
            partBytes -= partBytes % 16;
        }
        long served = headerKnown ? h + partBytes : 0;
        long claimed = d.bytesDownloaded();
        if (onDisk + h < claimed) {
            listener.notice(d.id(), "the part file holds " + (onDisk + h) + " bytes, fewer than the " + claimed
                    + " recorded: resuming from byte " + served);
        } else if (!sameBoot && served < claimed) {
            listener.notice(d.id(), "the machine restarted since the last run: resuming from byte " + served
                    + ", the last byte known to be on disk");
        }
        journal.changeLater((download, now) -> download.adoptPartFile(served,
                Math.min(served, download.bytesDurable()), now));
        finishRecovery(journal, part, boot, partBytes, served);
    }

    /**
     * A part of pieces (several connections): the ranges the state names count, all of them after a crash of the
     * process alone, only the synced ones after another boot; nothing beyond the end of the file.
     */
    private void recoverPieces(Journal journal, Part part, Download d, boolean sameBoot, long onDisk,
                               Optional<String> boot, boolean cbc, DownloadListener listener)
            throws IOException, InterruptedException {
        PieceMap trusted = aligned((sameBoot ? d.pieces() : d.durablePieces()).truncatedTo(onDisk), cbc);
        PieceMap durable = d.durablePieces().intersect(trusted);
        if (trusted.present() < d.pieces().present()) {
            listener.notice(d.id(), (sameBoot ? "the part file is shorter than recorded" : "the machine restarted"
                    + " since the last run") + ": keeping the " + trusted.present() + " part bytes known to be there, of "
                    + d.pieces().present() + " recorded");
        }
        journal.changeLater((download, now) -> download.adoptPieces(trusted, durable, now));
        if (boot.isPresent()) {
            journal.changeLater((download, now) -> download.recordBoot(boot.get(), now));
        }
        part.open(trusted);
        part.startVerifier();
    }

    /** CBC decrypts whole blocks: a range counts up to its last whole block. */
    private static PieceMap aligned(PieceMap map, boolean cbc) {
        if (!cbc) {
            return map;
        }
        List<PieceMap.Range> whole = new ArrayList<>();
        for (PieceMap.Range range : map.ranges()) {
            long end = range.end() - range.end() % 16;
            if (end > range.start()) {
                whole.add(new PieceMap.Range(range.start(), end));
            }
        }
        return PieceMap.of(whole);
    }

    private void finishRecovery(Journal journal, Part part, Optional<String> boot, long partBytes, long served)
            throws IOException, InterruptedException {
        if (boot.isPresent()) {
            journal.changeLater((download, now) -> download.recordBoot(boot.get(), now));
        }
        part.open(partBytes);
        if (part.header().isPresent()) {
            // Re-derives the kept prefix in the background while the first request goes out.
            part.startVerifier();
        }
    }

}
