package dev.skyloader.adapters.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.X509TrustManager;
import static java.util.Objects.requireNonNull;

/**
 * Settings of the S3 source. Credentials and, unless given here, the region come the AWS way: the default provider
 * chains (environment, system properties, profile, container and instance roles). An endpoint given here overrides
 * the SDK's own {@code AWS_ENDPOINT_URL_S3} / {@code AWS_ENDPOINT_URL}.
 *
 * @param endpoint       an endpoint override ({@code --s3-endpoint}) for S3-compatible stores
 * @param pathStyle      path-style addressing ({@code --s3-path-style}) instead of virtual-hosted buckets
 * @param region         the signing region; empty: the SDK's region chain, else {@code us-east-1}
 * @param connectTimeout how long a connect may take
 * @param stallTimeout   a response that sends nothing for this long fails the read (a transient error)
 * @param trustManager   trusts given CA certificates instead of the system's ({@code --ca-cert}); built by the caller,
 *                       which shares the trust with the HTTP source
 */
public record S3Settings(Optional<URI> endpoint, boolean pathStyle, Optional<String> region, Duration connectTimeout,
                         Duration stallTimeout, Optional<X509TrustManager> trustManager) {
    public static final S3Settings DEFAULT = new S3Settings(Optional.empty(), false, Optional.empty(),
            Duration.ofSeconds(20), Duration.ofSeconds(30), Optional.empty());

    public S3Settings {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(region, "region is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(stallTimeout, "stallTimeout is null");
        requireNonNull(trustManager, "trustManager is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public S3Settings withEndpoint(URI newEndpoint, boolean newPathStyle) {
        return new S3Settings(Optional.of(newEndpoint), newPathStyle, region, connectTimeout, stallTimeout, trustManager);
    }

    public S3Settings withRegion(String newRegion) {
        return new S3Settings(endpoint, pathStyle, Optional.of(newRegion), connectTimeout, stallTimeout, trustManager);
    }

    public S3Settings withStallTimeout(Duration timeout) {
        return new S3Settings(endpoint, pathStyle, region, connectTimeout, timeout, trustManager);
    }
}
