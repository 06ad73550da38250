package dev.skyloader.adapters.http;

import java.net.http.HttpClient;

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
        settings.sslContext().ifPresent(builder::sslContext);
        return builder.build();
    }
}
