package dev.skyloader.application.service;

import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.domain.Sha256;
import java.io.IOException;
import java.util.function.Supplier;
import static java.util.Objects.requireNonNull;

/**
 * Follows the part file's contiguous prefix in order, on a thread of its own, and re-derives the bytes that were
 * served from it (the header, then the body re-encrypted) to hash them and to check the GCM tag or the CBC padding.
 * It needs no copy of the ciphertext and costs the transfer thread nothing but a volatile write per buffer. After a
 * restart it re-reads the kept prefix while new bytes already arrive.
 */
final class Verifier {
    /** What the verifier found once it reached the end. */
    record Verified(Sha256 sha256, boolean authentic, long plaintextLength) {
    }

    private final PartFile part;
    private final Digest digest;
    private final Supplier<Cipher.BodyEncoder> encoders;
    private final byte[] header;
    private final int bufferSize;
    private final Thread thread;
    private final Object lock = new Object();
    /** Part bytes the transfer has written; the verifier reads up to here. */
    private long available;
    /** The part's final length, once known; -1 before. */
    private long end = -1;
    private boolean cancelled;
    private Verified verified;
    private Throwable failure;
    /** Part bytes re-derived so far. */
    private volatile long position;

    /**
     * @param encoders makes the encoder on the verifier's own thread: setting up a cipher loads classes, and a
     *                 resumed run's first request must not wait for that
     */
    Verifier(PartFile part, Digest digest, Supplier<Cipher.BodyEncoder> encoders, byte[] header, int bufferSize) {
        this.part = requireNonNull(part, "part is null");
        this.digest = requireNonNull(digest, "digest is null");
        this.encoders = requireNonNull(encoders, "encoders is null");
        this.header = header.clone();
        this.bufferSize = bufferSize;
        this.thread = Thread.ofPlatform().daemon().name("skyloader-verifier").unstarted(this::follow);
    }

    void start() {
        thread.start();
    }

    /** The transfer wrote the part up to {@code partBytes}. */
    void available(long partBytes) {
        synchronized (lock) {
            if (partBytes > available) {
                available = partBytes;
                lock.notifyAll();
            }
        }
    }

    /** The part is complete at {@code partBytes}: finish there. */
    void end(long partBytes) {
        synchronized (lock) {
            available = Math.max(available, partBytes);
            end = partBytes;
            lock.notifyAll();
        }
    }

    /** Part bytes re-derived so far. */
    long position() {
        return position;
    }

    /** Waits for the verdict; {@link #end} must have been called. */
    Verified await() throws IOException, InterruptedException {
        thread.join();
        synchronized (lock) {
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("verifier failed", failure);
            }
            if (verified == null) {
                throw new IllegalStateException("verifier was cancelled");
            }
            return verified;
        }
    }

    /** Stops following and waits until the thread is gone, so that the part file may be cut. */
    void cancel() throws InterruptedException {
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
        }
        thread.join();
    }

    private void follow() {
        byte[] buffer = new byte[bufferSize];
        byte[] served = new byte[bufferSize + 32];
        long at = 0;
        try {
            Digest.Hasher hasher = digest.newHasher();
            hasher.update(header, 0, header.length);
            Cipher.BodyEncoder encoder = encoders.get();
            while (true) {
                long limit;
                synchronized (lock) {
                    while (!cancelled && at >= available && at != end) {
                        lock.wait();
                    }
                    if (cancelled) {
                        return;
                    }
                    if (at == end) {
                        break;
                    }
                    limit = available;
                }
                while (at < limit) {
                    int wanted = (int) Math.min(buffer.length, limit - at);
                    int n = part.read(at, buffer, 0, wanted);
                    if (n <= 0) {
                        throw new IOException("the part file ended at byte " + at + " while " + limit
                                + " were written");
                    }
                    int out = encoder.update(buffer, 0, n, served, 0);
                    hasher.update(served, 0, out);
                    at += n;
                    position = at;
                }
            }
            Cipher.Ending ending = encoder.finish();
            byte[] tail = ending.servedTail();
            hasher.update(tail, 0, tail.length);
            Verified result = new Verified(Sha256.of(hasher.finish()), ending.authentic(), ending.plaintextLength());
            synchronized (lock) {
                verified = result;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            synchronized (lock) {
                failure = e;
            }
        }
    }
}
