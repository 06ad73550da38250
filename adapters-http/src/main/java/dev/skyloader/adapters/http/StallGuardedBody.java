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
 * on a stall cancels the subscription (which closes the connection) and throws. At most {@link #IN_FLIGHT} lists of
 * buffers (of {@link HttpClients#READ_BUFFER} each) are asked for ahead of the reader: memory stays bounded whatever
 * the speed of the disk, and the reader seldom has to wait for the network thread.
 */
final class StallGuardedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();
    static final int IN_FLIGHT = 4;

    private final long stallNanos;
    private final Duration stallTimeout;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> pending;
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
        newSubscription.request(IN_FLIGHT);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        queue.add(items);
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
                subscription.request(1);
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
            @SuppressWarnings("unchecked")
            List<ByteBuffer> buffers = (List<ByteBuffer>) item;
            pending = buffers.iterator();
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
