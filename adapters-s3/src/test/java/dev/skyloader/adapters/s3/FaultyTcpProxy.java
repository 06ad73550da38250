package dev.skyloader.adapters.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy to a server that cannot misbehave by itself (S3Proxy): armed, it cuts, or stalls, the connection that
 * carries the next {@code n} bytes back to the client.
 */
public final class FaultyTcpProxy implements AutoCloseable {
    private static final long DISARMED = -1;

    private final ServerSocket server;
    private final int upstreamPort;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicLong budget = new AtomicLong(DISARMED);
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean stall;
    private volatile boolean goDown;
    private volatile long chunkDelayMillis;
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesToClient = new AtomicLong();
    private int closedConnections;

    public FaultyTcpProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next {@code bytes} bytes to the client go through, then that connection is closed. */
    public void cutAfter(long bytes) {
        stall = false;
        goDown = false;
        budget.set(bytes);
    }

    /** Like {@link #cutAfter}, and then the link is gone: new connections are refused. */
    public void cutAndGoDownAfter(long bytes) {
        stall = false;
        goDown = true;
        budget.set(bytes);
    }

    /** The next {@code bytes} bytes to the client go through, then that connection sends nothing more. */
    public void stallAfter(long bytes) {
        stall = true;
        goDown = false;
        budget.set(bytes);
    }

    /** Pauses this long after every 16 KiB sent to the client: a slow link. */
    public void chunkDelay(java.time.Duration delay) {
        this.chunkDelayMillis = delay.toMillis();
    }

    /** Bytes passed on to the client so far, over every connection. */
    public long bytesToClient() {
        return bytesToClient.get();
    }

    /**
     * Waits until {@code count} connections have closed (either side: the client, the server or a fault); false when
     * they have not within {@code timeout}.
     */
    public synchronized boolean awaitClosedConnections(int count, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (closedConnections < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                open.add(client);
                open.add(upstream);
                threads.execute(() -> pump(client, upstream, false));
                threads.execute(() -> pump(upstream, client, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardsClient) {
        byte[] buffer = new byte[16 << 10];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                int allowed = n;
                boolean fault = false;
                if (towardsClient) {
                    long left = budget.get();
                    if (left != DISARMED) {
                        allowed = (int) Math.min(n, left);
                        if (budget.compareAndSet(left, left - allowed) && left - allowed == 0) {
                            budget.set(DISARMED);
                            fault = true;
                        }
                    }
                }
                out.write(buffer, 0, allowed);
                out.flush();
                if (towardsClient) {
                    bytesToClient.addAndGet(allowed);
                }
                long delay = chunkDelayMillis;
                if (towardsClient && delay > 0 && closing.await(delay, TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (fault) {
                    if (goDown) {
                        server.close();
                    }
                    if (stall) {
                        closing.await(60, TimeUnit.SECONDS);
                    }
                    return;
                }
            }
        } catch (IOException e) {
            // a side went away: the try closes both
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (towardsClient) {
                synchronized (this) {
                    closedConnections++;
                    notifyAll();
                }
            }
        }
    }

    /** The link goes down: nothing is accepted and every open connection is dropped. */
    @Override
    public void close() throws IOException {
        closing.countDown();
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
        threads.shutdownNow();
    }
}
