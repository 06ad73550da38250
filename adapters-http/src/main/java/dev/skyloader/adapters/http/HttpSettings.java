package dev.skyloader.adapters.http;

import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Settings of the HTTP(S) source.
 *
 * @param connectTimeout how long a TCP + TLS connect may take
 * @param stallTimeout   no response headers, or no body bytes, for this long aborts the exchange (a transient error)
 * @param trustStore     CA certificates to trust instead of the system's ({@code --ca-cert}, like curl's {@code --cacert})
 * @param maxRedirects   redirects followed before giving up
 * @param refetchBelow   a server that ignores If-Range answers a resumed request with the whole object: below this
 *                       many bytes already here, taking that answer from byte 0 costs less than dropping it (its
 *                       bytes are already on their way) and asking again without If-Range
 */
public record HttpSettings(Duration connectTimeout, Duration stallTimeout, Optional<KeyStore> trustStore,
                           int maxRedirects, long refetchBelow) {
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(20), Duration.ofSeconds(30),
            Optional.empty(), 10, 4L << 20);

    public HttpSettings {
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(stallTimeout, "stallTimeout is null");
        requireNonNull(trustStore, "trustStore is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxRedirects < 0 || refetchBelow < 0) {
            throw new IllegalArgumentException("maxRedirects and refetchBelow must not be negative");
        }
    }

    public HttpSettings withStallTimeout(Duration timeout) {
        return new HttpSettings(connectTimeout, timeout, trustStore, maxRedirects, refetchBelow);
    }

    public HttpSettings withRefetchBelow(long bytes) {
        return new HttpSettings(connectTimeout, stallTimeout, trustStore, maxRedirects, bytes);
    }

    public HttpSettings withTrustStore(KeyStore store) {
        return new HttpSettings(connectTimeout, stallTimeout, Optional.of(store), maxRedirects, refetchBelow);
    }
}
