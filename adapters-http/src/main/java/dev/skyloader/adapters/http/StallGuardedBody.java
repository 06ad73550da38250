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
 * on a stall cancels the subscription (which closes the connection) and throws. One list of buffers is requested at
 * a time, so memory stays bounded whatever the speed of the disk.
 */
final class StallGuardedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

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
        newSubscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        queue.add(items);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(new Failure(throwable));
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

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("body is closed");
        }
        if (length == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (pending != null && pending.hasNext()) {
                current = pending.next();
                continue;
            }
            if (done) {
                return -1;
            }
            if (pending != null) {
                pending = null;
                subscription.request(1);
            }
            Object item;
            try {
                item = queue.poll(stallNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted while waiting for the body");
            }
            if (item == null) {
                cancel();
                throw new StallException("stalled: no data for " + stallTimeout.toMillis() + " ms");
            }
            if (item == END) {
                done = true;
                return -1;
            }
            if (item instanceof Failure failure) {
                done = true;
                Throwable cause = failure.cause();
                throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> buffers = (List<ByteBuffer>) item;
            pending = buffers.iterator();
        }
        int n = Math.min(length, current.remaining());
        current.get(bytes, offset, n);
        return n;
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
