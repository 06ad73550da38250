package dev.skyloader.application.service;

import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.Throttle;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.SourceUrl;
import dev.skyloader.domain.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * One connection's worth of work: asks a source for the bytes still missing, checks that the answer belongs to what
 * is already here, and decrypts every buffer on arrival into the part file at its final offset. For CBC a resume
 * asks for the ciphertext block before the first missing one as well, to chain from (16 bytes per resume).
 */
final class Transfer {
    /** How a connection ended. */
    sealed interface Outcome {
    }

    /** Every byte served is in the part file. */
    record AllBytes() implements Outcome {
    }

    /** The connection failed or was refused; the bytes it delivered are kept. */
    record Interrupted(SourceException error) implements Outcome {
    }

    private final ArtifactSource source;
    private final HostHealth hosts;
    private final Journal journal;
    private final Part part;
    private final CipherName cipher;
    private final OptionalLong expectedSize;
    private final DownloadListener listener;
    private final DownloadId id;
    private final int bufferSize;
    private final Throttle throttle;
    /** The size the sources so far reported, when the artifact's own size is not known. */
    private OptionalLong remoteTotal = OptionalLong.empty();

    Transfer(ArtifactSource source, HostHealth hosts, Journal journal, Part part, CipherName cipher,
             OptionalLong expectedSize, DownloadListener listener, int bufferSize, Throttle throttle) {
        this.source = requireNonNull(source, "source is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.part = requireNonNull(part, "part is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.expectedSize = requireNonNull(expectedSize, "expectedSize is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.id = journal.read(d -> d.id());
        this.bufferSize = bufferSize;
        this.throttle = requireNonNull(throttle, "throttle is null");
    }

    /** Whether the part already holds every byte served. */
    boolean hasAllBytes() {
        return expectedSize.isPresent() && part.servedBytes() == expectedSize.getAsLong();
    }

    Outcome fetch(SourceUrl url) throws IOException, InterruptedException {
        if (hasAllBytes()) {
            return new AllBytes();
        }
        long ask = requestOffset();
        // A validator means something only to the source that issued it; elsewhere the size and, in the end, the
        // SHA-256 guard against splicing.
        Optional<String> validator = journal.read(d -> d.validator().filter(v -> v.issuedBy(url.redacted()))
                .map(Validator::tag));
        RemoteBody body;
        try {
            body = source.open(url, ask, validator);
        } catch (SourceException e) {
            return new Interrupted(e);
        }
        hosts.succeeded(url.origin());
        try (body) {
            return consume(body, ask, url.redacted(), validator);
        }
    }

    /** Where in the served bytes to ask from: the header first, else the first missing byte (CBC: a block early). */
    private long requestOffset() {
        if (part.header().isEmpty()) {
            return 0;
        }
        long chain = chainBytes(part.size());
        return cipher.headerBytes() + part.size() - chain;
    }

    private long chainBytes(long partOffset) {
        return cipher == CipherName.AES_256_CBC && partOffset > 0 ? 16 : 0;
    }

    private Outcome consume(RemoteBody body, long ask, String where, Optional<String> validator)
            throws IOException, InterruptedException {
        if (body.offset() != ask) {
            if (body.offset() != 0) {
                return new Interrupted(SourceException.transientError(where + ": the source answered from byte "
                        + body.offset() + " when asked for byte " + ask, null));
            }
            String reason = where + ": the server sent the whole object instead of resuming at byte " + ask
                    + ", so it may have changed: starting again from byte 0";
            part.cutToZero(() -> journal.change((d, now) -> d.restartFromZero(reason, now)));
            listener.notice(id, reason);
        } else if (ask > 0 && validator.isPresent() && body.validator().isPresent()
                && !validator.equals(body.validator())) {
            return new Interrupted(SourceException.changed(where + " changed (validator " + validator.get()
                    + " -> " + body.validator().get() + ")"));
        }
        OptionalLong total = body.totalSize();
        if (expectedSize.isEmpty() && body.offset() > 0 && remoteTotal.isPresent() && total.isPresent()
                && remoteTotal.getAsLong() != total.getAsLong()) {
            long other = remoteTotal.getAsLong();
            remoteTotal = OptionalLong.empty();
            return new Interrupted(SourceException.changed(where + " is " + total.getAsLong()
                    + " bytes, another source said " + other));
        }
        if (total.isPresent()) {
            remoteTotal = total;
        }
        if (body.validator().isPresent()) {
            Validator served = new Validator(body.validator().get(), where);
            if (!journal.read(d -> d.validator().equals(Optional.of(served)))) {
                journal.change((d, now) -> d.recordValidator(served, now));
            }
        }
        if (expectedSize.isPresent() && total.isPresent() && total.getAsLong() != expectedSize.getAsLong()) {
            return new Interrupted(SourceException.permanent(where + " is " + total.getAsLong()
                    + " bytes, but the artifact is expected to be " + expectedSize.getAsLong() + " bytes"));
        }
        OptionalLong end = expectedSize.isPresent() ? expectedSize : total;
        if (end.isPresent() && cipher.sizeProblem(end.getAsLong()).isPresent()) {
            // Not an artifact of this format: no retry, restart or key can make it one.
            return new Interrupted(SourceException.permanent(where + ": "
                    + cipher.sizeProblem(end.getAsLong()).get()));
        }
        InputStream in = body.body();
        long served = body.offset();
        if (part.header().isEmpty()) {
            byte[] header = new byte[cipher.headerBytes()];
            int got = 0;
            while (got < header.length) {
                int n;
                try {
                    n = in.read(header, got, header.length - got);
                } catch (IOException e) {
                    return lost(where, got, e);
                }
                if (n < 0) {
                    return closed(where, got, end);
                }
                got += n;
            }
            served = header.length;
            journal.change((d, now) -> d.recordHeader(HexFormat.of().formatHex(header), now));
        }
        part.startVerifier();
        // none: the bytes served are the part's bytes, written straight from the read buffer.
        Cipher.BodyDecryptor decryptor = cipher == CipherName.NONE ? null : part.decryptor();
        byte[] buffer = new byte[bufferSize];
        byte[] plain = decryptor == null ? buffer : new byte[bufferSize + 32];
        long header = cipher.headerBytes();
        while (end.isEmpty() || served < end.getAsLong()) {
            int wanted = end.isPresent() ? (int) Math.min(buffer.length, end.getAsLong() - served) : buffer.length;
            int n;
            try {
                n = in.read(buffer, 0, wanted);
            } catch (IOException e) {
                part.recordWritten();
                return lost(where, header + part.size(), e);
            }
            if (n < 0) {
                break;
            }
            throttle.spend(n);
            int out = decryptor == null ? n : decryptor.update(buffer, 0, n, plain, 0);
            part.append(plain, 0, out);
            served += n;
            listener.progress(id, DownloadState.DOWNLOADING, header + part.size(), end);
        }
        part.recordWritten();
        if (end.isPresent() && served < end.getAsLong()) {
            return closed(where, header + part.size(), end);
        }
        return new AllBytes();
    }

    private static Outcome lost(String where, long position, IOException e) {
        String message = e.getMessage();
        return new Interrupted(SourceException.transientError(where + ": connection lost at byte " + position + " ("
                + e.getClass().getSimpleName() + (message == null ? "" : ": " + message) + ")", e));
    }

    private static Outcome closed(String where, long position, OptionalLong end) {
        return new Interrupted(SourceException.transientError(where + ": the connection closed at byte " + position
                + (end.isPresent() ? " of " + end.getAsLong() : ""), null));
    }
}
