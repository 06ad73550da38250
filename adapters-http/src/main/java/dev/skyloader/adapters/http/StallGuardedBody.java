package dev.skyloader.adapters.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an InputStream whose reads give up when no byte arrives for the stall timeout.
 *
 * <p>The JDK client's request timeout ends at the response headers: a body that stops flowing would block
 * {@code BodyHandlers.ofInputStream()} for ever. Here the reader waits on the subscriber's queue with a timeout, and
 * on a stall cancels the subscription (which closes the connection) and throws. The client is asked for more while
 * less than {@link #AHEAD_BYTES} wait for the reader, one list of buffers at a time (a list is one read of up to
 * {@link HttpClients#READ_BUFFER} over HTTP, one TLS record of up to 16 KiB over HTTPS): memory stays bounded
 * whatever the speed of the disk, and the reader seldom has to wait for the network thread.
 */
final class StallGuardedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();
    /** Bytes received and not yet read past which the client is not asked for more. */
    static final long AHEAD_BYTES = 512 << 10;

    private final long stallNanos;
    private final Duration stallTimeout;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> pending;
    /** The bytes of the list {@link #pending} walks. */
    private long pendingBytes;
    private final Object demand = new Object();
    /** Bytes handed over by the client and not yet read through (whole lists). */
    private long aheadBytes;
    /** A list is asked for and has not come yet. */
    private boolean asked;
    private ByteBuffer current;
    private boolean done;
    private boolean closed;

    StallGuardedBody(Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
        this.stallNanos = stallTimeout.toNanos();
    }

    /** Thrown by a read when the body stalled. */
    static final class StallException extends IOException {
        StallException(String message) {
            super(message);
        }
    }

    private record Failure(Throwable cause) {
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription newSubscription) {
        this.subscription = newSubscription;
        askIfRoom();
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        long bytes = 0;
        for (ByteBuffer item : items) {
            bytes += item.remaining();
        }
        synchronized (demand) {
            aheadBytes += bytes;
            asked = false;
        }
        queue.add(new Received(items, bytes));
        askIfRoom();
    }

    private record Received(List<ByteBuffer> items, long bytes) {
    }

    /** Asks the client for the next list unless one is asked for already or enough waits for the reader. */
    private void askIfRoom() {
        boolean ask;
        synchronized (demand) {
            ask = !asked && aheadBytes < AHEAD_BYTES;
            asked |= ask;
        }
        if (ask) {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(new Failure(throwable));
    }

    /**
     * The request failed after this body was handed to the client: what already arrived is read first, then
     * {@code failure}, unless the body ended before (a failure after the end is never read).
     */
    void failAfterWhatArrived(IOException failure) {
        queue.add(new Failure(failure));
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * Waits (up to the stall timeout) for the first bytes, then copies whatever else has already arrived, without
     * waiting again, until {@code length} is filled.
     */
    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("body is closed");
        }
        if (length == 0) {
            return 0;
        }
        if (!advance(true)) {
            return -1;
        }
        int copied = 0;
        while (copied < length) {
            int n = Math.min(length - copied, current.remaining());
            current.get(bytes, offset + copied, n);
            copied += n;
            if (copied < length && !advance(false)) {
                break;
            }
        }
        return copied;
    }

    /**
     * Makes {@code current} a buffer with bytes left. Returns false at the end of the body, or, when {@code wait} is
     * false, when no more bytes have arrived yet.
     */
    private boolean advance(boolean wait) throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (pending != null && pending.hasNext()) {
                current = pending.next();
                continue;
            }
            if (done) {
                return false;
            }
            if (pending != null) {
                pending = null;
                synchronized (demand) {
                    aheadBytes -= pendingBytes;
                }
                askIfRoom();
            }
            Object item;
            try {
                item = wait ? queue.poll(stallNanos, TimeUnit.NANOSECONDS) : queue.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted while waiting for the body");
            }
            if (item == null) {
                if (!wait) {
                    return false;
                }
                cancel();
                throw new StallException("stalled: no data for " + stallTimeout.toMillis() + " ms");
            }
            if (item == END) {
                done = true;
                return false;
            }
            if (item instanceof Failure failure) {
                if (!wait) {
                    // Hand over what was read so far; the failure is reported by the next read.
                    queue.add(failure);
                    return false;
                }
                done = true;
                Throwable cause = failure.cause();
                throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
            }
            Received received = (Received) item;
            pending = received.items().iterator();
            pendingBytes = received.bytes();
        }
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!done) {
                cancel();
            }
        }
    }

    private void cancel() {
        done = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
