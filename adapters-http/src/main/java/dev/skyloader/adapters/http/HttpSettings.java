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
 */
public record HttpSettings(Duration connectTimeout, Duration stallTimeout, Optional<KeyStore> trustStore,
                           int maxRedirects) {
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(20), Duration.ofSeconds(30),
            Optional.empty(), 10);

    public HttpSettings {
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(stallTimeout, "stallTimeout is null");
        requireNonNull(trustStore, "trustStore is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative");
        }
    }

    public HttpSettings withStallTimeout(Duration timeout) {
        return new HttpSettings(connectTimeout, timeout, trustStore, maxRedirects);
    }

    public HttpSettings withTrustStore(KeyStore store) {
        return new HttpSettings(connectTimeout, stallTimeout, Optional.of(store), maxRedirects);
    }
}
