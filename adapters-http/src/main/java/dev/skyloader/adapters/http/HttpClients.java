package dev.skyloader.adapters.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the JDK client as the source needs it: no automatic redirects (we follow them), an optional private CA. */
final class HttpClients {
    private HttpClients() {
    }

    static HttpClient create(HttpSettings settings) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                // Redirects are followed by HttpArtifactSource, which refuses https -> http and keeps Range headers.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                // One transfer per connection: HTTP/2 brings nothing to a single large download, and HTTP/1.1
                // behaves the same behind every CDN and proxy.
                .version(HttpClient.Version.HTTP_1_1);
        settings.caCertificate().ifPresent(pem -> builder.sslContext(trusting(pem)));
        return builder.build();
    }

    private static SSLContext trusting(java.nio.file.Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CA certificate " + pem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable PEM certificate: " + pem + " (" + e.getMessage() + ")", e);
        }
    }
}
