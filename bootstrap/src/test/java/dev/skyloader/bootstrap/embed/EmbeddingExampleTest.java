package dev.skyloader.bootstrap.embed;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.adapters.http.TestHttpServer;
import dev.skyloader.application.port.in.DownloadListener;
import dev.skyloader.application.port.in.DownloadResult;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example, compiled and run as it is printed there (the README is checked to hold exactly the
 * lines between the markers below), against a real HTTP server that drops the connection once.
 */
class EmbeddingExampleTest {
    @TempDir
    Path dir;
    private TestHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theReadmeExampleDownloadsDecryptsAndReports() throws Exception {
        byte[] plain = new byte[3_000_000];
        new SplittableRandom(1).nextBytes(plain);
        byte[] key = new byte[32];
        new SplittableRandom(2).nextBytes(key);
        byte[] nonce = new byte[12];
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        byte[] body = gcm.doFinal(plain);
        byte[] served = new byte[nonce.length + body.length];
        System.arraycopy(body, 0, served, nonce.length, body.length);
        server.put("/models/detector.onnx.enc", served);
        server.enqueue(new TestHttpServer.DropAfter(1_000_000));
        String url = server.url("/models/detector.onnx.enc");
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(served));
        long size = served.length;
        String stateDir = dir.resolve("state").toString();
        String output = dir.resolve("models/detector.onnx").toString();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            // README example begins
            try (Skyloader skyloader = Skyloader.builder()
                    .stateDirectory(Path.of(stateDir))   // outlives the process: a later call resumes
                    .connections(4)
                    .limitRate(8 << 20)                  // 8 MiB/s for everything this instance fetches
                    .build()) {
                Skyloader.Request request = Skyloader.request(url, sha256, Path.of(output))
                        .size(size)
                        .cipher("aes-256-gcm")
                        .key(key)                        // the artifact's own key; never written anywhere
                        .build();
                DownloadResult result = skyloader.download(request, new DownloadListener() {
                    @Override
                    public void progress(DownloadId id, DownloadState state, long bytes, OptionalLong total) {
                        // called often, on the downloading threads: keep it cheap
                    }

                    @Override
                    public void notice(DownloadId id, String message) {
                        System.out.println("notice: " + message);
                    }
                });
                switch (result.outcome()) {
                    case COMPLETE -> System.out.println("in place: " + result.status().outputPath());
                    case NOT_FINISHED -> System.out.println("not yet: " + result.message()); // call again later
                    case FAILED -> System.out.println("failed: " + result.message());        // a person must look
                }
            }
            // README example ends
        } finally {
            System.setOut(stdout);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("in place: " + output), text);
        assertTrue(text.contains("notice: ") && text.contains("connection lost"), "the drop was told: " + text);
        assertArrayEquals(plain, Files.readAllBytes(Path.of(output)));
        assertEquals(served.length, server.bodyBytesSent(), "nothing fetched twice");
    }

    @Test
    void theReadmeShowsExactlyThatExample() throws Exception {
        Path source = Path.of("src/test/java/dev/skyloader/bootstrap/embed/EmbeddingExampleTest.java");
        List<String> lines = Files.readAllLines(source);
        int from = lines.indexOf("            // README example begins");
        int to = lines.indexOf("            // README example ends");
        assertTrue(from > 0 && to > from);
        StringBuilder example = new StringBuilder();
        for (String line : lines.subList(from + 1, to)) {
            example.append(line.length() >= 12 ? line.substring(12) : line.strip()).append('\n');
        }
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains(example), "README.md must show the example as tested:\n" + example);
    }

    @Test
    void aBuilderWithoutAStateDirectoryOrARequestWithoutItsKeyIsRefused() {
        assertThrows(IllegalStateException.class, () -> Skyloader.builder().build());
        assertThrows(IllegalArgumentException.class, () -> Skyloader.request("https://h/x", "ab".repeat(32),
                Path.of("/tmp/x")).cipher("aes-256-gcm").build());
        assertThrows(IllegalArgumentException.class, () -> Skyloader.builder().connections(17));
    }
}
