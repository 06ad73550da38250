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
import java.util.function.BooleanSupplier;
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

    /** A piece was answered with the whole object of the same version: this source ignores ranges. */
    record RangesIgnored(String message) implements Outcome {
    }

    /**
     * A piece that started before the header was here gave up waiting for it: the connection that was to bring it
     * ended without it. Nothing was read; the piece goes back, and the header's piece is taken again.
     */
    record NoHeader() implements Outcome {
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

    /** The size the sources so far reported, when the artifact's own size is not known. */
    synchronized OptionalLong remoteTotal() {
        return remoteTotal;
    }

    /** Whether the part already holds every byte served. */
    boolean hasAllBytes() {
        return expectedSize.isPresent() && part.servedBytes() == expectedSize.getAsLong();
    }

    /**
     * Where one connection's bytes go: part offsets from {@link #start()} to {@link #end()}, which may move down
     * while they arrive (a piece split for another connection).
     */
    interface Target {
        /** The first part byte wanted. */
        long start();

        /** The part byte to stop before, or -1: to the end of the body. */
        long end();

        /** The connection wrote up to part byte {@code position}; false: stop reading. */
        boolean advance(long position);

        /** Whether an answer with the whole object from byte 0 is taken on this connection (the part cut first). */
        boolean wholeFromZeroAllowed();

        /** The first answer told the body's length in part bytes (-1: unknown) and whether it came whole from 0. */
        void learned(long partLength, boolean wholeFromZero);

        /**
         * Waits until the header is here, for a connection that asked for bytes after it before it came; false when
         * no connection is bringing it any more (or every connection stops).
         */
        boolean awaitHeader(BooleanSupplier headerHere) throws InterruptedException;
    }

    /** One connection for everything missing after the prefix, to the end of the body. */
    private final class Rest implements Target {
        @Override
        public long start() {
            return part.size();
        }

        @Override
        public long end() {
            return -1;
        }

        @Override
        public boolean advance(long position) {
            return true;
        }

        @Override
        public boolean wholeFromZeroAllowed() {
            return true;
        }

        @Override
        public void learned(long partLength, boolean wholeFromZero) {
        }

        @Override
        public boolean awaitHeader(BooleanSupplier headerHere) {
            // From the part's end: while the header is missing the part is empty, and this asks from byte 0.
            throw new IllegalStateException("the one connection asked past a missing header");
        }
    }

    /** A piece of a {@link PieceScheduler}. */
    static Target piece(PieceScheduler scheduler, PieceScheduler.Piece piece) {
        return new Target() {
            @Override
            public long start() {
                return scheduler.position(piece);
            }

            @Override
            public long end() {
                long end = scheduler.end(piece);
                return end == Long.MAX_VALUE ? -1 : end;
            }

            @Override
            public boolean advance(long position) {
                return scheduler.advance(piece, position);
            }

            @Override
            public boolean wholeFromZeroAllowed() {
                return scheduler.length() < 0;
            }

            @Override
            public void learned(long partLength, boolean wholeFromZero) {
                scheduler.learnLength(partLength, wholeFromZero);
            }

            @Override
            public boolean awaitHeader(BooleanSupplier headerHere) throws InterruptedException {
                return scheduler.awaitHeader(headerHere);
            }
        };
    }

    Outcome fetch(SourceUrl url) throws IOException, InterruptedException {
        if (hasAllBytes()) {
            return new AllBytes();
        }
        return fetch(url, new Rest());
    }

    /** Fetches the bytes {@code target} wants over one connection, into the part at their offsets. */
    Outcome fetch(SourceUrl url, Target target) throws IOException, InterruptedException {
        long start = target.start();
        long wantedEnd = target.end();
        boolean headerKnown = part.header().isPresent();
        // Where in the served bytes to ask from: the header first when it is missing and this is the first piece,
        // else the first byte wanted (CBC: a block early). A later piece may ask before the header is here: it waits
        // for it before decrypting (see consume).
        long ask = headerKnown || start != 0 ? cipher.headerBytes() + start - chainBytes(start) : 0;
        long askEnd = wantedEnd < 0 ? -1 : cipher.headerBytes() + wantedEnd;
        // A validator means something only to the source that issued it; elsewhere the size and, in the end, the
        // SHA-256 guard against splicing.
        Optional<String> validator = journal.read(d -> d.validator().filter(v -> v.issuedBy(url.redacted()))
                .map(Validator::tag));
        RemoteBody opened;
        try {
            opened = askEnd < 0 ? source.open(url, ask, validator) : source.open(url, ask, askEnd, validator);
        } catch (SourceException e) {
            return new Interrupted(e);
        }
        // A host is healthy once it brings bytes: one that answers and then cuts every body before its first byte
        // counts as failing, so that its breaker can open.
        String origin = url.origin();
        RemoteBody body = new RemoteBody(opened.offset(), opened.totalSize(), opened.validator(),
                new FirstBytes(opened.body(), () -> hosts.succeeded(origin)), opened.end());
        try {
            return consume(body, ask, askEnd, start, target, url.redacted(), validator);
        } finally {
            try {
                body.close();
            } catch (IOException e) {
                // A connection that fails as it closes has nothing more to give: what it gave is kept.
            }
        }
    }

    /** Runs {@code first} once, when the first byte is read. */
    private static final class FirstBytes extends java.io.FilterInputStream {
        private Runnable first;

        FirstBytes(java.io.InputStream in, Runnable first) {
            super(in);
            this.first = first;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                brought();
            }
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            if (n > 0) {
                brought();
            }
            return n;
        }

        private void brought() {
            if (first != null) {
                Runnable once = first;
                first = null;
                once.run();
            }
        }
    }

    private long chainBytes(long partOffset) {
        return cipher == CipherName.AES_256_CBC && partOffset > 0 ? 16 : 0;
    }

    private Outcome consume(RemoteBody body, long ask, long askEnd, long start, Target target, String where,
                            Optional<String> validator) throws IOException, InterruptedException {
        boolean wholeFromZero = false;
        long position = start;
        boolean rangeIgnored = body.offset() == ask && ask == 0 && askEnd >= 0 && body.end().isPresent()
                && body.end().getAsLong() > askEnd;
        if (!target.wholeFromZeroAllowed() && (rangeIgnored || body.offset() == 0 && ask > 0)
                && sameVersion(validator, body.validator())) {
            // Nothing read: the caller goes on over one connection.
            return new RangesIgnored(where + ": the server ignores ranges (it answered a piece with the whole"
                    + " object): going on over one connection");
        }
        if (rangeIgnored && target.wholeFromZeroAllowed()) {
            // Asked for the first piece, sent everything: this connection reads it all, no other starts.
            wholeFromZero = true;
            if (part.present() > 0) {
                String reason = where + ": the server ignored the range and sent the whole object: starting again"
                        + " from byte 0 over one connection";
                part.cutToZero(() -> journal.change((d, now) -> d.restartFromZero(reason, now)));
                listener.notice(id, reason);
            }
        } else if (body.offset() != ask) {
            if (body.offset() != 0) {
                return new Interrupted(SourceException.transientError(where + ": the source answered from byte "
                        + body.offset() + " when asked for byte " + ask, null));
            }
            if (!target.wholeFromZeroAllowed()) {
                return new Interrupted(SourceException.changed(where + ": the server answered a request for bytes "
                        + ask + "- with the whole object, so it may have changed"));
            }
            wholeFromZero = true;
            position = 0;
            if (part.present() > 0 || ask > 0) {
                String reason = where + ": the server sent the whole object instead of resuming at byte " + ask
                        + " (it ignores ranges, or the object changed): starting again from byte 0";
                part.cutToZero(() -> journal.change((d, now) -> d.restartFromZero(reason, now)));
                listener.notice(id, reason);
            }
        }
        if (body.validator().isPresent()) {
            Validator served = new Validator(body.validator().get(), where);
            // Compared and recorded in one step: connections that start together must agree on the version (the
            // first answer's), or the part would splice two of them. Only a connection that may start the part
            // afresh (nothing kept, no other connection) takes a new version as it comes.
            synchronized (this) {
                Optional<String> current = journal.read(d -> d.validator().filter(v -> v.issuedBy(where))
                        .map(Validator::tag));
                boolean kept = ask > 0 || part.present() > 0 || !target.wholeFromZeroAllowed();
                if (kept && current.isPresent() && !current.equals(body.validator())) {
                    return new Interrupted(SourceException.changed(where + " changed (validator " + current.get()
                            + " -> " + body.validator().get() + ")"));
                }
                if (!journal.read(d -> d.validator().equals(Optional.of(served)))) {
                    journal.change((d, now) -> d.recordValidator(served, now));
                }
            }
        }
        OptionalLong total = body.totalSize();
        synchronized (this) {
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
        }
        if (expectedSize.isPresent() && total.isPresent() && total.getAsLong() != expectedSize.getAsLong()) {
            return new Interrupted(SourceException.permanent(where + " is " + total.getAsLong()
                    + " bytes, but the artifact is expected to be " + expectedSize.getAsLong() + " bytes"));
        }
        OptionalLong end = expectedSize.isPresent() ? expectedSize : total;
        if (expectedSize.isEmpty() && total.isPresent()) {
            // No --size: the server's word is the first chance to see whether the disk can hold it.
            part.checkRoomFor(total.getAsLong());
            long told = total.getAsLong();
            if (!journal.read(d -> d.reportedSize().equals(OptionalLong.of(told)))) {
                // Shown by status and the progress; saved with the next change, no fsync of its own.
                journal.changeLater((d, now) -> d.recordReportedSize(told, now));
            }
        }
        if (end.isPresent() && cipher.sizeProblem(end.getAsLong()).isPresent()) {
            // Not an artifact of this format: no retry, restart or key can make it one.
            return new Interrupted(SourceException.permanent(where + ": "
                    + cipher.sizeProblem(end.getAsLong()).get()));
        }
        InputStream in = body.body();
        long served = body.offset();
        if (part.header().isEmpty() && served > 0 && !target.awaitHeader(() -> part.header().isPresent())) {
            // Asked for a later piece with the header still to come, and the connection bringing it ended.
            return new NoHeader();
        }
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
        long header = cipher.headerBytes();
        // The header is here: connections waiting for it go on (and, the length unknown until now, others start).
        target.learned(end.isPresent() ? end.getAsLong() - header : -1, wholeFromZero);
        part.startVerifier();
        // none: the bytes served are the part's bytes, written straight from the read buffer.
        Cipher.BodyDecryptor decryptor = cipher == CipherName.NONE ? null : part.decryptor(position);
        byte[] buffer = new byte[bufferSize];
        byte[] plain = decryptor == null ? buffer : new byte[bufferSize + 32];
        long stopAt = stopAt(target, end);
        while (stopAt < 0 || served < stopAt) {
            int wanted = stopAt >= 0 ? (int) Math.min(buffer.length, stopAt - served) : buffer.length;
            int n;
            try {
                n = in.read(buffer, 0, wanted);
            } catch (IOException e) {
                part.recordWritten();
                return lost(where, header + position, e);
            }
            if (n < 0) {
                break;
            }
            throttle.spend(n);
            int out = decryptor == null ? n : decryptor.update(buffer, 0, n, plain, 0);
            part.write(position, plain, 0, out);
            position += out;
            served += n;
            synchronized (listener) {
                listener.progress(id, DownloadState.DOWNLOADING, part.servedBytes(), end);
            }
            if (Thread.currentThread().isInterrupted()) {
                // Stopped (a signal, or the caller cancelled): what is written counts, the rest waits for a new run.
                part.recordWritten();
                throw new InterruptedException("stopped at byte " + (header + position));
            }
            if (!target.advance(position)) {
                break;
            }
            stopAt = stopAt(target, end);
        }
        part.recordWritten();
        if (body.end().isPresent() && served == body.end().getAsLong()) {
            // The whole answer is read: taking its end as well lets the client keep the connection for the next
            // piece (a body closed before its end is aborted, and a new connection costs a TCP and TLS handshake).
            try {
                in.read(buffer, 0, 1);
            } catch (IOException e) {
                // every byte wanted is here
            }
        }
        stopAt = stopAt(target, end);
        if (stopAt >= 0 && served < stopAt && target.advance(position)) {
            return closed(where, header + position, end);
        }
        return new AllBytes();
    }

    /** No validator to tell, or the same one: the same version of the object. */
    private boolean sameVersion(Optional<String> asked, Optional<String> answered) {
        Optional<String> recorded = journal.read(d -> d.validator().map(Validator::tag));
        Optional<String> known = asked.isPresent() ? asked : recorded;
        return known.isEmpty() || answered.isEmpty() || known.equals(answered);
    }

    /** The served byte to stop before: the target's end, else the body's; -1 when neither is known. */
    private long stopAt(Target target, OptionalLong end) {
        long wanted = target.end();
        if (wanted >= 0) {
            long stop = cipher.headerBytes() + wanted;
            return end.isPresent() ? Math.min(stop, end.getAsLong()) : stop;
        }
        return end.isPresent() ? end.getAsLong() : -1;
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
