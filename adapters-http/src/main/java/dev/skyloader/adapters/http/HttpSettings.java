package dev.skyloader.adapters.http;

import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import static java.util.Objects.requireNonNull;

/**
 * Settings of the HTTP(S) source.
 *
 * @param connectTimeout how long a TCP + TLS connect may take
 * @param stallTimeout   no response headers, or no body bytes, for this long aborts the exchange (a transient error)
 * @param sslContext     a TLS context that trusts given CA certificates instead of the system's ({@code --ca-cert},
 *                       like curl's {@code --cacert}); built by the caller, which shares the trust with the S3 source
 * @param maxRedirects   redirects followed before giving up
 * @param refetchBelow   a server that ignores If-Range answers a resumed request with the whole object: below this
 *                       many bytes already here, taking that answer from byte 0 costs less than dropping it (its
 *                       bytes are already on their way) and asking again without If-Range
 */
public record HttpSettings(Duration connectTimeout, Duration stallTimeout, Optional<SSLContext> sslContext,
                           int maxRedirects, long refetchBelow, java.util.List<Header> headers) {
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(20), Duration.ofSeconds(30),
            Optional.empty(), 10, 4L << 20);

    /**
     * A request header of every request to the sources given ({@code --header}), for a CDN or an update service that
     * wants a token. Not sent after a redirect to another host, and never logged: its value may be a secret.
     */
    public record Header(String name, String value) {
        /** Headers skyloader sets itself, or that the HTTP client owns. */
        private static final java.util.Set<String> RESERVED = java.util.Set.of("range", "if-range", "host",
                "content-length", "connection", "transfer-encoding", "accept-encoding", "expect", "upgrade", "te",
                "trailer", "keep-alive", "proxy-connection");

        public Header {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("not a header name: '" + name + "'");
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("the value of " + name + " has a line break");
            }
            if (RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException(name + " is set by skyloader itself");
            }
        }

        /** {@code Name: value}, as curl's {@code -H} takes it. */
        public static Header parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected 'Name: value', got no name and colon");
            }
            return new Header(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
        }

        @Override
        public String toString() {
            return name + ": (hidden)";
        }
    }

    public HttpSettings(Duration connectTimeout, Duration stallTimeout, Optional<SSLContext> sslContext,
                        int maxRedirects, long refetchBelow) {
        this(connectTimeout, stallTimeout, sslContext, maxRedirects, refetchBelow, java.util.List.of());
    }

    public HttpSettings {
        headers = java.util.List.copyOf(requireNonNull(headers, "headers is null"));
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(stallTimeout, "stallTimeout is null");
        requireNonNull(sslContext, "sslContext is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxRedirects < 0 || refetchBelow < 0) {
            throw new IllegalArgumentException("maxRedirects and refetchBelow must not be negative");
        }
    }

    public HttpSettings withStallTimeout(Duration timeout) {
        return new HttpSettings(connectTimeout, timeout, sslContext, maxRedirects, refetchBelow, headers);
    }

    public HttpSettings withRefetchBelow(long bytes) {
        return new HttpSettings(connectTimeout, stallTimeout, sslContext, maxRedirects, bytes, headers);
    }

    public HttpSettings withSslContext(SSLContext context) {
        return new HttpSettings(connectTimeout, stallTimeout, Optional.of(context), maxRedirects, refetchBelow,
                headers);
    }

    public HttpSettings withHeaders(java.util.List<Header> newHeaders) {
        return new HttpSettings(connectTimeout, stallTimeout, sslContext, maxRedirects, refetchBelow, newHeaders);
    }
}
