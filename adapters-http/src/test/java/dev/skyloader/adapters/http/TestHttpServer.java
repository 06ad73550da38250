package dev.skyloader.adapters.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP(S) server in the test's JVM (the JDK's HttpServer) serving objects from memory with Range, If-Range,
 * ETag and Last-Modified, and able to misbehave on demand: drop a connection, stall, ignore Range, ignore If-Range,
 * ignore the end of a Range, answer a wrong Content-Range or one of unknown total, redirect, or answer with any status.
 */
public final class TestHttpServer implements AutoCloseable {
    /** How one request is answered instead of normally. */
    public sealed interface Fault {
    }

    /** Answer normally: a place in the queue of faults, so that the next one hits a later request. */
    public record Pass() implements Fault {
    }

    /** Send this many body bytes, then cut the connection. */
    public record DropAfter(long bodyBytes) implements Fault {
    }

    /** Send this many body bytes, then send nothing more until the server closes. */
    public record StallAfter(long bodyBytes) implements Fault {
    }

    /** Answer 200 with the whole object whatever the Range says. */
    public record IgnoreRange() implements Fault {
    }

    /** Answer If-Range with a 200 even though the validator matches (a CDN habit). */
    public record FullBodyOnIfRange() implements Fault {
    }

    /** Answer 206 with a Content-Range starting one byte after the one asked for. */
    public record WrongContentRange() implements Fault {
    }

    /** Answer a closed range to the object's end, saying so in the Content-Range: a server ignoring a range's end. */
    public record IgnoreRangeEnd() implements Fault {
    }

    /** Answer 206 with the range asked for and a Content-Range of unknown total ({@code bytes a-b/*}). */
    public record UnknownTotal() implements Fault {
    }

    public record Status(int code, Map<String, String> headers) implements Fault {
    }

    /** Send the body chunked and end it cleanly after this many bytes: a correct status, a body cut short. */
    public record TruncatedChunked(long bodyBytes) implements Fault {
    }

    /** Send this many body bytes, cut the connection, and replace the object: it changed between two attempts. */
    public record DropAndReplace(long bodyBytes, byte[] replacement) implements Fault {
    }

    public record Redirect(int code, String location) implements Fault {
    }

    /** @param headers every request header, names in lower case, first value */
    public record Request(String method, String path, String query, String range, String ifRange,
                          Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private record Served(byte[] content, String etag, String lastModified) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Served> objects = new ConcurrentHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final AtomicLong bodyBytesSent = new AtomicLong();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile long cutEvery;
    private volatile Fault always;
    private volatile long chunkDelayMillis;
    private int versions;
    private int answered;

    private TestHttpServer(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static TestHttpServer start() throws IOException {
        return new TestHttpServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    public static TestHttpServer startHttps(SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new TestHttpServer(server);
    }

    public String url(String path) {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Publishes (or replaces, with a new ETag and Last-Modified) the object at {@code path}. */
    public synchronized void put(String path, byte[] content) {
        versions++;
        String etag = "\"" + HexFormat.of().formatHex(sha256(content), 0, 8) + "\"";
        String lastModified = "Mon, 0" + (versions % 9 + 1) + " Jun 2026 10:00:00 GMT";
        objects.put(path, new Served(content.clone(), etag, lastModified));
    }

    public synchronized void enqueue(Fault... next) {
        faults.addAll(List.of(next));
    }

    /** Every response cuts its connection after this many body bytes (0: never). */
    public void cutEvery(long bodyBytes) {
        this.cutEvery = bodyBytes;
    }

    /** Pauses this long after every 64 KiB of body: a slow link, so that a client can be killed mid-transfer. */
    public void chunkDelay(java.time.Duration delay) {
        this.chunkDelayMillis = delay.toMillis();
    }

    /** A fault applied to every request (null: none). */
    public void always(Fault fault) {
        this.always = fault;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public long bodyBytesSent() {
        return bodyBytesSent.get();
    }

    /**
     * Waits until {@code count} requests have been handled to their end (answered in full, cut, or abandoned by the
     * client); false when they have not within {@code timeout}.
     */
    public synchronized boolean awaitAnswered(int count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public String etag(String path) {
        return objects.get(path).etag();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String range = exchange.getRequestHeaders().getFirst("Range");
            String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
            Fault fault;
            synchronized (this) {
                Map<String, String> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(
                        name.toLowerCase(java.util.Locale.ROOT), values.isEmpty() ? "" : values.get(0)));
                requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                        range, ifRange, Map.copyOf(headers)));
                fault = faults.isEmpty() ? always : faults.poll();
            }
            if (fault instanceof Status status) {
                status.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                exchange.sendResponseHeaders(status.code(), -1);
                return;
            }
            if (fault instanceof Redirect redirect) {
                exchange.getResponseHeaders().add("Location", redirect.location());
                exchange.sendResponseHeaders(redirect.code(), -1);
                return;
            }
            Served served = objects.get(path);
            if (served == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            long size = served.content().length;
            exchange.getResponseHeaders().add("ETag", served.etag());
            exchange.getResponseHeaders().add("Last-Modified", served.lastModified());
            exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
            Matcher matcher = range == null ? null : RANGE.matcher(range.trim());
            boolean ranged = matcher != null && matcher.matches();
            if (ranged && ifRange != null && !ifRange.equals(served.etag()) && !ifRange.equals(served.lastModified())) {
                ranged = false;
            }
            if (fault instanceof IgnoreRange || (fault instanceof FullBodyOnIfRange && ifRange != null)) {
                ranged = false;
            }
            long start = 0;
            long last = size - 1;
            int status = 200;
            if (ranged) {
                if (!matcher.group(2).isEmpty()) {
                    last = Math.min(last, Long.parseLong(matcher.group(2)));
                }
                start = Long.parseLong(matcher.group(1));
                if (start >= size) {
                    exchange.getResponseHeaders().add("Content-Range", "bytes */" + size);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                if (fault instanceof WrongContentRange) {
                    start++;
                }
                if (fault instanceof IgnoreRangeEnd) {
                    last = size - 1;
                }
                status = 206;
                exchange.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + last + "/"
                        + (fault instanceof UnknownTotal ? "*" : Long.toString(size)));
            }
            long length = last + 1 - start;
            if (fault instanceof TruncatedChunked truncated) {
                exchange.sendResponseHeaders(status, 0);
                int n = (int) Math.min(length, truncated.bodyBytes());
                exchange.getResponseBody().write(served.content(), (int) start, n);
                bodyBytesSent.addAndGet(n);
                return;
            }
            exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                return;
            }
            long limit = length;
            if (fault instanceof DropAfter drop) {
                limit = Math.min(limit, drop.bodyBytes());
            } else if (fault instanceof DropAndReplace replace) {
                limit = Math.min(limit, replace.bodyBytes());
            } else if (fault instanceof StallAfter stall) {
                limit = Math.min(limit, stall.bodyBytes());
            } else if (cutEvery > 0) {
                limit = Math.min(limit, cutEvery);
            }
            OutputStream body = exchange.getResponseBody();
            int chunk = 64 << 10;
            for (long sent = 0; sent < limit; ) {
                int n = (int) Math.min(chunk, limit - sent);
                body.write(served.content(), (int) (start + sent), n);
                sent += n;
                bodyBytesSent.addAndGet(n);
                long delay = chunkDelayMillis;
                if (delay > 0) {
                    body.flush();
                    if (closing.await(delay, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                }
            }
            body.flush();
            if (fault instanceof StallAfter) {
                awaitClose();
            }
            if (fault instanceof DropAndReplace replace) {
                put(path, replace.replacement());
            }
            if (limit < length) {
                // Closing the exchange short of its Content-Length makes the server drop the connection.
                throw new IOException("test server cut the connection after " + limit + " body bytes");
            }
        } catch (IOException e) {
            // The client went away or the cut above: either way the connection is done.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                answered++;
                notifyAll();
            }
        }
    }

    private void awaitClose() {
        try {
            closing.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
