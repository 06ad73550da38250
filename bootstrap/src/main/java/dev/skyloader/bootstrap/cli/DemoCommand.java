package dev.skyloader.bootstrap.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyloader.application.port.in.EncryptArtifact;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.ByteCount;
import dev.skyloader.domain.CipherName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The whole job on this machine, with nothing else installed: a server in this process serves a freshly encrypted
 * artifact over a link that drops a few times, and {@code get} fetches it as it would from a CDN: resumed after every
 * drop, SHA-256 verified, decrypted. Everything happens in a temporary folder that is removed at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole job end to end on this machine: an encrypted artifact served by a server in "
                + "this process over a link that drops, fetched with get (resume, SHA-256, decryption), then a summary.",
                "Nothing else is needed, and nothing is left behind."})
final class DemoCommand implements Callable<Integer> {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    @ParentCommand
    Skyloader root;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "48M",
            description = "Size of the demo artifact (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--drops", paramLabel = "N", defaultValue = "3",
            description = "How many times the link drops a connection (default: ${DEFAULT-VALUE}).")
    int drops;

    @Option(names = "--rate", paramLabel = "RATE", defaultValue = "6M",
            description = "How fast the demo server sends, per connection (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "As for get: auto, bar, plain, json or none (default: ${DEFAULT-VALUE}).")
    String progress;

    @Override
    public Integer call() throws Exception {
        long bytes = Inputs.parse("--size", () -> ByteCount.parse(size)).bytes();
        if (bytes < 1 || bytes > (4L << 30)) {
            throw new BadInputException("--size: from 1 byte to 4G, got '" + size + "'");
        }
        long perSecond = Inputs.parse("--rate", () -> ByteCount.parse(rate)).bytes();
        if (perSecond < 64 << 10) {
            throw new BadInputException("--rate: at least 64k, got '" + rate + "'");
        }
        if (drops < 0 || drops > 100) {
            throw new BadInputException("--drops: 0 to 100, got " + drops);
        }
        Path work = Files.createTempDirectory("skyloader-demo-");
        try {
            return run(work, bytes, perSecond);
        } finally {
            deleteTree(work);
        }
    }

    private int run(Path work, long bytes, long perSecond) throws Exception {
        say("making a " + ConsoleListener.size(bytes) + " model and encrypting it with AES-256-GCM under a new key");
        Path plain = work.resolve("model.onnx");
        writeRandom(plain, bytes);
        byte[] keyBytes = new byte[AesKey.LENGTH];
        new SecureRandom().nextBytes(keyBytes);
        AesKey key = AesKey.of(keyBytes);
        Path artifact = work.resolve("model.onnx.enc");
        EncryptedArtifact encrypted;
        try (Wiring wiring = Wiring.forStateDirectory(work.resolve("publisher-state"));
             InputStream in = Files.newInputStream(plain)) {
            encrypted = wiring.get(EncryptArtifact.class).encrypt(new EncryptArtifactCommand(CipherName.AES_256_GCM,
                    key, in, artifact.toString()));
        }
        AtomicLong served = new AtomicLong();
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger dropsLeft = new AtomicInteger(drops);
        long dropEvery = Math.max(64 << 10, encrypted.size() / (drops + 2));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService threads = Executors.newFixedThreadPool(8, task -> {
            Thread thread = new Thread(task, "skyloader-demo-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        String etag = "\"" + encrypted.sha256().hex().substring(0, 16) + "\"";
        server.createContext("/models/model.onnx.enc", exchange -> serve(exchange, artifact, encrypted.size(), etag,
                perSecond, dropEvery, dropsLeft, served, requests));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/model.onnx.enc";
        say("serving it at " + url + " (" + ConsoleListener.size(perSecond) + "/s a connection; the link drops "
                + drops + " time" + (drops == 1 ? "" : "s") + ")");
        Path output = work.resolve("device/models/model.onnx");
        Map<String, String> env = new HashMap<>(root.env);
        env.put("SKYLOADER_DEMO_KEY", Base64.getEncoder().encodeToString(keyBytes));
        java.util.Arrays.fill(keyBytes, (byte) 0);
        String[] get = {"get", url, "--sha256", encrypted.sha256().hex(), "--size", Long.toString(encrypted.size()),
                "--cipher", "aes-256-gcm", "--key-env", "SKYLOADER_DEMO_KEY", "-o", output.toString(),
                "--state-dir", work.resolve("device/state").toString(), "--progress", progress};
        say("./skyloader get " + url + " --sha256 " + encrypted.sha256().hex() + " --size "
                + encrypted.size() + " --cipher aes-256-gcm --key-env SKYLOADER_DEMO_KEY -o " + output);
        long start = System.nanoTime();
        int code;
        try {
            code = Skyloader.run(get, root.in, root.out, root.err, env);
        } finally {
            server.stop(0);
            threads.shutdownNow();
            key.destroy();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code != ExitCode.COMPLETE) {
            say("the download ended with exit code " + code);
            return code;
        }
        boolean same = sha256(plain).equals(sha256(output));
        say(String.format(Locale.ROOT, "summary: %d request%s, %s sent for a %s artifact (%.4f x), %.1f s; the output"
                        + " %s the original model byte for byte", requests.get(), requests.get() == 1 ? "" : "s",
                ConsoleListener.size(served.get()),
                ConsoleListener.size(encrypted.size()), served.get() / (double) encrypted.size(), seconds,
                same ? "is" : "is NOT"));
        say("cleaning up " + work);
        return same ? ExitCode.COMPLETE : ExitCode.FAILED;
    }

    /** One answer of the demo server: a range from the artifact, at the demo rate, cut while drops remain. */
    private static void serve(HttpExchange exchange, Path artifact, long length, String etag, long perSecond,
                              long dropEvery, AtomicInteger dropsLeft, AtomicLong served, AtomicInteger requests)
            throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            long start = 0;
            long end = length;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
            exchange.getResponseHeaders().add("ETag", etag);
            exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
            if (range != null && (ifRange == null || ifRange.equals(etag))) {
                Matcher m = RANGE.matcher(range);
                if (m.matches()) {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? length : Math.min(length, Long.parseLong(m.group(2)) + 1);
                    if (start >= length || start >= end) {
                        exchange.getResponseHeaders().add("Content-Range", "bytes */" + length);
                        exchange.sendResponseHeaders(416, -1);
                        return;
                    }
                    status = 206;
                    exchange.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (end - 1) + "/"
                            + length);
                }
            }
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, end - start);
            // While drops remain, an answer is cut half way (or after dropEvery bytes, whichever comes first).
            long cutAt = end - start >= 128 << 10 && dropsLeft.getAndDecrement() > 0
                    ? Math.min(dropEvery, (end - start) / 2) : Long.MAX_VALUE;
            byte[] buffer = new byte[64 << 10];
            long nanosPerChunk = buffer.length * 1_000_000_000L / perSecond;
            try (RandomAccessFile file = new RandomAccessFile(artifact.toFile(), "r")) {
                OutputStream body = exchange.getResponseBody();
                long sent = 0;
                long next = System.nanoTime();
                while (start + sent < end) {
                    int n = (int) Math.min(buffer.length, end - start - sent);
                    if (sent + n > cutAt) {
                        n = (int) (cutAt - sent);
                    }
                    file.seek(start + sent);
                    file.readFully(buffer, 0, n);
                    body.write(buffer, 0, n);
                    sent += n;
                    served.addAndGet(n);
                    if (sent >= cutAt) {
                        body.flush();
                        // Short of its length: the server drops the connection, as a satellite hand-over does.
                        throw new IOException("the demo link dropped");
                    }
                    next += nanosPerChunk;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The demo's own story goes to stdout: stderr is get's, which may be JSON lines (--progress json). */
    private void say(String text) {
        root.out.println("demo: " + text);
    }

    private static void writeRandom(Path file, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom();
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
