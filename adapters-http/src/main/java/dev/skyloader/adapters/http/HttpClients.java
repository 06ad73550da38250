package dev.skyloader.adapters.http;

import java.net.http.HttpClient;
import java.security.NoSuchAlgorithmException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** Builds the JDK client as the source needs it: no automatic redirects (we follow them), an optional private CA. */
final class HttpClients {
    /**
     * The client's read buffer. Its default, 16 KiB, costs a socket read and a hand-over between threads every
     * 16 KiB: measured here, 1 GiB over one connection took 3.6 s with it and 2.7 s with 256 KiB (bench/run.sh).
     * A short body and the cut after it may then arrive in one read and fail the request rather than the read:
     * {@link HttpArtifactSource} keeps that answer and its bytes. {@link StallGuardedBody} lets about
     * {@link StallGuardedBody#AHEAD_BYTES} wait for the reader, besides the client's own read.
     */
    static final int READ_BUFFER = 256 << 10;

    private HttpClients() {
    }

    static HttpClient create(HttpSettings settings) {
        return create(settings, HttpClients::systemContext);
    }

    /** As {@link #create(HttpSettings)}, {@code systemContext} making the context when the settings name none. */
    static HttpClient create(HttpSettings settings, Supplier<SSLContext> systemContext) {
        // Read once, when the JDK's HTTP classes initialise: set before the first client unless the user chose.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(READ_BUFFER));
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                // Redirects are followed by HttpArtifactSource, which refuses https -> http and keeps Range headers.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                // One transfer per connection: HTTP/2 brings nothing to a single large download, and HTTP/1.1
                // behaves the same behind every CDN and proxy.
                .version(HttpClient.Version.HTTP_1_1);
        // TLS is set up on the first https connection, not when the client is built (see LazySslContext).
        Supplier<SSLContext> context = settings.sslContext().<Supplier<SSLContext>>map(given -> () -> given)
                .orElse(systemContext);
        builder.sslContext(new LazySslContext(context)).sslParameters(new SSLParameters());
        return builder.build();
    }

    private static SSLContext systemContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            // Most often a trust store that cannot be read (javax.net.ssl.trustStore, its password or type).
            throw new IllegalStateException("the system's TLS context: " + e.getMessage(), e);
        }
    }
}
