package dev.skyloader.adapters.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpClientsTest {
    private static final HttpSettings SETTINGS = HttpSettings.DEFAULT;

    @Test
    void theTlsContextIsMadeOnTheFirstHttpsConnectionNeverForPlainHttp(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.generate(dir);
        SSLContext trusting = certificates.clientContext();
        AtomicInteger made = new AtomicInteger();
        byte[] content = "a body".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (TestHttpServer plain = TestHttpServer.start();
             TestHttpServer secure = TestHttpServer.startHttps(certificates.serverContext());
             HttpClientCloser client = new HttpClientCloser(HttpClients.create(SETTINGS, () -> {
                 made.incrementAndGet();
                 return trusting;
             }))) {
            plain.put("/a", content);
            secure.put("/a", content);
            HttpArtifactSource source = new HttpArtifactSource(client.client(), SETTINGS, Clock.systemUTC());

            assertArrayEquals(content, read(source, plain.url("/a")));
            assertEquals(0, made.get(), "plain HTTP made a TLS context");

            // Over TLS, with the context's own defaults (the client was given empty SSL parameters).
            assertArrayEquals(content, read(source, secure.url("/a")));
            assertArrayEquals(content, read(source, secure.url("/a")));
            assertEquals(1, made.get(), "made once, on the first https connection");
        }
    }

    @Test
    void aTlsContextThatCannotBeMadeFailsHttpsForGoodAndLeavesPlainHttpAlone(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.generate(dir);
        byte[] content = "a body".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (TestHttpServer plain = TestHttpServer.start();
             TestHttpServer secure = TestHttpServer.startHttps(certificates.serverContext());
             HttpClientCloser client = new HttpClientCloser(HttpClients.create(SETTINGS, () -> {
                 throw new IllegalStateException("keystore password was incorrect");
             }))) {
            plain.put("/a", content);
            secure.put("/a", content);
            HttpArtifactSource source = new HttpArtifactSource(client.client(), SETTINGS, Clock.systemUTC());

            SourceException e = assertThrows(SourceException.class, () -> read(source, secure.url("/a")));
            assertEquals(SourceException.Kind.PERMANENT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("TLS could not be set up (keystore password was incorrect)"),
                    e.getMessage());
            assertArrayEquals(content, read(source, plain.url("/a")));
        }
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused(@TempDir Path dir) throws Exception {
        // The client was given empty SSL parameters: the host name must still be checked against the certificate.
        TestCertificates elsewhere = TestCertificates.generate(dir, "cdn.example", "dns:cdn.example");
        SSLContext trusting = elsewhere.clientContext();
        try (TestHttpServer secure = TestHttpServer.startHttps(elsewhere.serverContext());
             HttpClientCloser client = new HttpClientCloser(HttpClients.create(SETTINGS, () -> trusting))) {
            secure.put("/a", new byte[] {1});
            HttpArtifactSource source = new HttpArtifactSource(client.client(), SETTINGS, Clock.systemUTC());

            SourceException e = assertThrows(SourceException.class, () -> read(source, secure.url("/a")));
            assertEquals(SourceException.Kind.PERMANENT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
        }
    }

    private static byte[] read(HttpArtifactSource source, String url) throws Exception {
        try (RemoteBody body = source.open(new SourceUrl(url), 0, Optional.empty())) {
            return body.body().readAllBytes();
        }
    }
}
