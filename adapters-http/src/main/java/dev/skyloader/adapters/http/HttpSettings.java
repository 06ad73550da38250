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
                           int maxRedirects, long refetchBelow) {
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(20), Duration.ofSeconds(30),
            Optional.empty(), 10, 4L << 20);

    public HttpSettings {
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
        return new HttpSettings(connectTimeout, timeout, sslContext, maxRedirects, refetchBelow);
    }

    public HttpSettings withRefetchBelow(long bytes) {
        return new HttpSettings(connectTimeout, stallTimeout, sslContext, maxRedirects, bytes);
    }

    public HttpSettings withSslContext(SSLContext context) {
        return new HttpSettings(connectTimeout, stallTimeout, Optional.of(context), maxRedirects, refetchBelow);
    }
}
