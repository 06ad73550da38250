package dev.skyloader.adapters.http;

import java.net.http.HttpClient;

/** Builds the JDK client as the source needs it: no automatic redirects (we follow them), an optional private CA. */
final class HttpClients {
    /**
     * The client's read buffer. Its default, 16 KiB, costs a hand-over between threads every 16 KiB: measured here on
     * 1 GiB (aes-256-gcm, local nginx, medians of 3), 3.3 s with it, 2.5 s with 128 KiB, 2.65 s with 256 KiB. A cut
     * that arrives in the same read as the response headers fails the request instead of the read (the bytes it
     * brought are fetched again): the larger the buffer, the likelier, so not larger. {@link StallGuardedBody} asks
     * for {@link StallGuardedBody#IN_FLIGHT} buffers ahead: 1 MiB at most in memory per connection.
     */
    static final int READ_BUFFER = 128 << 10;

    private HttpClients() {
    }

    static HttpClient create(HttpSettings settings) {
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
        settings.sslContext().ifPresent(builder::sslContext);
        return builder.build();
    }
}
