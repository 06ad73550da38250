package dev.skyloader.adapters.http;

import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
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
        settings.trustStore().ifPresent(store -> builder.sslContext(trusting(store)));
        return builder.build();
    }

    private static SSLContext trusting(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable CA certificates: " + e.getMessage(), e);
        }
    }
}
