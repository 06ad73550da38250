package dev.skyloader.adapters.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Settings of the HTTP(S) source.
 *
 * @param connectTimeout how long a TCP + TLS connect may take
 * @param stallTimeout   no response headers, or no body bytes, for this long aborts the exchange (a transient error)
 * @param caCertificate  a PEM file of CA certificates to trust instead of the system's (curl's {@code --cacert})
 * @param maxRedirects   redirects followed before giving up
 */
public record HttpSettings(Duration connectTimeout, Duration stallTimeout, Optional<Path> caCertificate,
                           int maxRedirects) {
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(20), Duration.ofSeconds(30),
            Optional.empty(), 10);

    public HttpSettings {
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(stallTimeout, "stallTimeout is null");
        requireNonNull(caCertificate, "caCertificate is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative");
        }
    }

    public HttpSettings withStallTimeout(Duration timeout) {
        return new HttpSettings(connectTimeout, timeout, caCertificate, maxRedirects);
    }

    public HttpSettings withCaCertificate(Path pem) {
        return new HttpSettings(connectTimeout, stallTimeout, Optional.of(pem), maxRedirects);
    }
}
