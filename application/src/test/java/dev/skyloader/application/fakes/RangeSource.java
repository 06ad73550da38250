package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Serves one object from memory and honours closed ranges, as an HTTP server answering {@code Range: bytes=a-b}
 * with a 206 does: bytes {@code [offset, end)} of the object, its total size and its ETag. Safe for several
 * connections at once. What a test scripts applies to the first request that starts at a given offset (offsets are
 * what connections over pieces can be told apart by; the order of their requests is not): drop it after some bytes,
 * refuse it, answer it from another version of the object, or hold its body until a latch opens. It can also
 * ignore every range (a server without range support: a 200 with the whole object).
 *
 * <p>Records every request, and counts how often each byte of the object was read by a client, so that a test can
 * tell which bytes were fetched twice.
 */
public final class RangeSource implements ArtifactSource {
    /** One request: {@code end} is -1 for an open range. */
    public record Request(long offset, long end, Optional<String> validator) {
        public boolean closed() {
            return end >= 0;
        }
    }

    private sealed interface Trick {
    }

    private record Drop(int afterBytes, CountDownLatch onReset) implements Trick {
    }

    private record Refuse(SourceException error) implements Trick {
    }

    private record Crash(RuntimeException error) implements Trick {
    }

    private record OtherVersion(byte[] content, String etag, boolean wholeFromZero) implements Trick {
    }

    /** Waits for the latch once {@code afterBytes} bytes were given. */
    private record Hold(CountDownLatch latch, long timeoutSeconds, int afterBytes) implements Trick {
    }

    private record HoldThenDrop(Hold hold, Drop drop) implements Trick {
    }

    private final byte[] content;
    private final String etag;
    private final AtomicIntegerArray reads;
    private final List<Request> requests = new ArrayList<>();
    private final List<Thread> askedBy = new ArrayList<>();
    private final Map<Long, List<Trick>> tricks = new HashMap<>();
    private boolean ignoreRanges;
    private boolean withoutTotal;
    private int budget = Integer.MAX_VALUE;
    private int refuseFirst;
    private SourceException refusal;
    private volatile boolean holdTimedOut;

    public RangeSource(byte[] content) {
        this.content = content.clone();
        this.etag = "\"e" + Integer.toHexString(Arrays.hashCode(content)) + "\"";
        this.reads = new AtomicIntegerArray(content.length);
    }

    /** The first request from {@code offset} serves {@code bytes} bytes, then its connection is reset. */
    public synchronized RangeSource dropAfter(long offset, int bytes) {
        return dropAfter(offset, bytes, new CountDownLatch(1));
    }

    /** As {@link #dropAfter(long, int)}, and counts {@code onReset} down as the connection is reset. */
    public synchronized RangeSource dropAfter(long offset, int bytes, CountDownLatch onReset) {
        return add(offset, new Drop(bytes, onReset));
    }

    /** The first request from {@code offset} is refused with {@code error}, before any byte. */
    public synchronized RangeSource refuse(long offset, SourceException error) {
        return add(offset, new Refuse(error));
    }

    /** The first request from {@code offset} throws {@code error}: a bug in the source, not a refusal. */
    public synchronized RangeSource crash(long offset, RuntimeException error) {
        return add(offset, new Crash(error));
    }

    /**
     * The first request from {@code offset} is answered from {@code other}, another version of the object with
     * another ETag: as a range of it ({@code wholeFromZero} false), or as all of it from byte 0, as a server does
     * whose object no longer matches the {@code If-Range} it was sent.
     */
    public synchronized RangeSource otherVersionAt(long offset, byte[] other, boolean wholeFromZero) {
        String otherTag = "\"o" + Integer.toHexString(Arrays.hashCode(other)) + "\"";
        return add(offset, new OtherVersion(other.clone(), otherTag, wholeFromZero));
    }

    /**
     * The body of the first request from {@code offset} gives no byte until {@code latch} opens, or, as a safety net
     * for a test that went wrong, until {@code timeoutSeconds} passed (see {@link #holdTimedOut()}).
     */
    public synchronized RangeSource holdAt(long offset, CountDownLatch latch, long timeoutSeconds) {
        return add(offset, new Hold(latch, timeoutSeconds, 0));
    }

    /** As {@link #holdAt(long, CountDownLatch, long)}, after the body's first {@code bytes} bytes. */
    public synchronized RangeSource holdAfterAt(long offset, int bytes, CountDownLatch latch, long timeoutSeconds) {
        return add(offset, new Hold(latch, timeoutSeconds, bytes));
    }

    /**
     * As {@link #holdAt(long, CountDownLatch, long)}, and once the latch opens the body gives {@code bytes} bytes and
     * its connection is reset.
     */
    public synchronized RangeSource holdThenDropAt(long offset, CountDownLatch latch, long timeoutSeconds,
                                                   int bytes) {
        return add(offset, new HoldThenDrop(new Hold(latch, timeoutSeconds, 0), new Drop(bytes, new CountDownLatch(1))));
    }

    /** Every request is answered with the whole object from byte 0, whatever range it asked for. */
    public synchronized RangeSource ignoreRanges() {
        ignoreRanges = true;
        return this;
    }

    /** The first {@code n} requests, whatever their offset, are refused with {@code error}. */
    public synchronized RangeSource refuseFirst(int n, SourceException error) {
        refuseFirst = n;
        refusal = error;
        return this;
    }

    /**
     * No answer tells the object's size, as a server that answers {@code Content-Range: bytes 0-4095/*}, or sends a
     * body without a length.
     */
    public synchronized RangeSource withoutTotal() {
        withoutTotal = true;
        return this;
    }

    /** Requests beyond the first {@code requests} are refused for good: a runaway test fails instead of hanging. */
    public synchronized RangeSource budget(int requests) {
        budget = requests;
        return this;
    }

    private RangeSource add(long offset, Trick trick) {
        tricks.computeIfAbsent(offset, o -> new ArrayList<>()).add(trick);
        return this;
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
        return answer(offset, -1, validator);
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator) throws SourceException {
        if (end <= offset) {
            throw new IllegalArgumentException("empty range [" + offset + ", " + end + ")");
        }
        return answer(offset, end, validator);
    }

    private synchronized RemoteBody answer(long offset, long end, Optional<String> validator)
            throws SourceException {
        requests.add(new Request(offset, end, validator));
        askedBy.add(Thread.currentThread());
        notifyAll();
        if (requests.size() > budget) {
            throw SourceException.permanent("more than " + budget + " requests");
        }
        if (requests.size() <= refuseFirst) {
            throw refusal;
        }
        List<Trick> scripted = tricks.get(offset);
        Trick trick = scripted == null || scripted.isEmpty() ? null : scripted.remove(0);
        if (trick instanceof Refuse refuse) {
            throw refuse.error();
        }
        if (trick instanceof Crash crash) {
            throw crash.error();
        }
        if (trick instanceof OtherVersion other) {
            byte[] bytes = other.content();
            long from = other.wholeFromZero() ? 0 : offset;
            long to = other.wholeFromZero() || end < 0 ? bytes.length : Math.min(end, bytes.length);
            // Bytes of another version are not bytes of this object: they are not counted as read.
            return new RemoteBody(from, OptionalLong.of(bytes.length), Optional.of(other.etag()),
                    new Body(bytes, from, to, null, null, null), OptionalLong.of(to));
        }
        boolean changed = validator.isPresent() && !validator.get().equals(etag);
        long from = ignoreRanges || changed ? 0 : offset;
        if (from > content.length) {
            throw SourceException.changed("the object is " + content.length + " bytes, asked from " + offset);
        }
        long to = ignoreRanges || changed || end < 0 ? content.length : Math.min(end, content.length);
        Drop drop = trick instanceof Drop d ? d : trick instanceof HoldThenDrop both ? both.drop() : null;
        Hold hold = trick instanceof Hold h ? h : trick instanceof HoldThenDrop both ? both.hold() : null;
        // Where the answer ends, as a server's Content-Range (or Content-Length) tells it.
        return new RemoteBody(from, withoutTotal ? OptionalLong.empty() : OptionalLong.of(content.length),
                Optional.of(etag), new Body(content, from, to, drop, reads, hold),
                withoutTotal && !ignoreRanges ? OptionalLong.empty() : OptionalLong.of(to));
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests that started at {@code offset}, in order. */
    public synchronized List<Request> requestsFrom(long offset) {
        return requests.stream().filter(r -> r.offset() == offset).toList();
    }

    /** Waits for the first request from {@code offset}, and says which thread made it. */
    public synchronized Thread awaitRequestFrom(long offset) throws InterruptedException {
        while (true) {
            for (int i = 0; i < requests.size(); i++) {
                if (requests.get(i).offset() == offset) {
                    return askedBy.get(i);
                }
            }
            wait();
        }
    }

    /** How often a client read byte {@code position} of the object. */
    public int timesRead(long position) {
        return reads.get((int) position);
    }

    /** Bytes of the object read by clients over all requests: what a metered link would have paid for. */
    public long bytesRead() {
        long sum = 0;
        for (int i = 0; i < reads.length(); i++) {
            sum += reads.get(i);
        }
        return sum;
    }

    public String etag() {
        return etag;
    }

    /** Whether a held body gave up waiting for its latch (the test's condition never came). */
    public boolean holdTimedOut() {
        return holdTimedOut;
    }

    /** One answer's bytes {@code [from, to)}; counts each byte read; may reset after some bytes or wait first. */
    private final class Body extends InputStream {
        private final byte[] bytes;
        private final long to;
        private final Drop drop;
        private final AtomicIntegerArray counts;
        private Hold hold;
        private long at;
        private long served;

        Body(byte[] bytes, long from, long to, Drop drop, AtomicIntegerArray counts, Hold hold) {
            this.bytes = bytes;
            this.at = from;
            this.to = to;
            this.drop = drop;
            this.counts = counts;
            this.hold = hold;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (hold != null && served >= hold.afterBytes()) {
                try {
                    if (!hold.latch().await(hold.timeoutSeconds(), TimeUnit.SECONDS)) {
                        holdTimedOut = true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while held");
                }
                hold = null;
            }
            if (len == 0) {
                return 0;
            }
            long left = to - at;
            if (hold != null) {
                // Not past the bytes before the hold in one read.
                left = Math.min(left, hold.afterBytes() - served);
            }
            if (drop != null) {
                if (served >= drop.afterBytes()) {
                    drop.onReset().countDown();
                    throw new IOException("Connection reset");
                }
                left = Math.min(left, drop.afterBytes() - served);
            }
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            System.arraycopy(bytes, (int) at, b, off, n);
            if (counts != null) {
                for (int i = 0; i < n; i++) {
                    counts.incrementAndGet((int) at + i);
                }
            }
            at += n;
            served += n;
            return n;
        }
    }
}
