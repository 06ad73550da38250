package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Serves one object from memory, answering each request as the next step of a script says: normally, with an
 * error, dropping the connection after some bytes, ignoring the range, and so on. Once the script is used up every
 * request is served normally. Records each request.
 */
public final class ScriptedSource implements ArtifactSource {
    /** What one request gets. */
    public sealed interface Step {
    }

    /** Serve from the asked offset, but cut the connection once the body reaches {@code absolutePosition}. */
    public record DropAt(long absolutePosition) implements Step {
    }

    public record Fail(SourceException error) implements Step {
    }

    /** Answer with the whole object from byte 0, as a server that ignores Range does. */
    public record IgnoreRange() implements Step {
    }

    /** Serve normally, with the byte at {@code position} flipped. */
    public record Corrupt(long position) implements Step {
    }

    /** Serve normally. */
    public record Serve() implements Step {
    }

    public record Request(long offset, Optional<String> validator) {
    }

    private byte[] content;
    private String etag;
    private final Deque<Step> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private long bytesServed;
    private final Deque<Boolean> probeAnswers = new ArrayDeque<>();
    private int probes;

    public ScriptedSource(byte[] content) {
        replace(content);
    }

    public synchronized ScriptedSource then(Step... steps) {
        script.addAll(List.of(steps));
        return this;
    }

    public synchronized ScriptedSource thenFailTransiently(int times) {
        for (int i = 0; i < times; i++) {
            script.add(new Fail(SourceException.transientError("connection refused", null)));
        }
        return this;
    }

    /** The object changes: new content and a new ETag. */
    public synchronized void replace(byte[] newContent) {
        this.content = newContent.clone();
        this.etag = "\"v" + Integer.toHexString(java.util.Arrays.hashCode(newContent)) + "\"";
    }

    @Override
    public synchronized RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
        requests.add(new Request(offset, validator));
        Step step = script.isEmpty() ? new Serve() : script.poll();
        boolean changed = validator.isPresent() && !validator.get().equals(etag);
        long start = offset;
        if (step instanceof IgnoreRange || changed) {
            start = 0;
        }
        byte[] body = content.clone();
        long end = content.length;
        switch (step) {
            case Fail fail -> throw fail.error();
            case DropAt drop -> end = Math.min(end, drop.absolutePosition());
            case Corrupt corrupt -> body[(int) corrupt.position()] ^= 0x5a;
            case IgnoreRange ignored -> { }
            case Serve serve -> { }
        }
        if (start > content.length) {
            throw SourceException.changed("object is shorter than the offset");
        }
        long from = start;
        long to = Math.max(from, end);
        bytesServed += to - from;
        boolean dropping = step instanceof DropAt;
        InputStream stream = new ByteArrayInputStream(body, (int) from, (int) (to - from));
        InputStream guarded = dropping ? new DroppingStream(stream) : stream;
        return new RemoteBody(start, OptionalLong.of(content.length), Optional.of(etag), guarded);
    }

    /** What the next probes answer, in turn; after these, probes answer false. */
    public synchronized ScriptedSource probesAnswer(Boolean... answers) {
        probeAnswers.addAll(List.of(answers));
        return this;
    }

    @Override
    public synchronized boolean probe(SourceUrl url) {
        probes++;
        Boolean answer = probeAnswers.poll();
        return answer != null && answer;
    }

    public synchronized int probes() {
        return probes;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Body bytes handed out over all requests: what a metered link would have paid for. */
    public synchronized long bytesServed() {
        return bytesServed;
    }

    public synchronized String etag() {
        return etag;
    }

    /** At its end it throws, as a reset connection does, instead of reporting a clean end of stream. */
    private static final class DroppingStream extends InputStream {
        private final InputStream in;

        DroppingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new IOException("Connection reset");
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new IOException("Connection reset");
            }
            return n;
        }
    }
}
