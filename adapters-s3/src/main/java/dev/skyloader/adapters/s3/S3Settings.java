package dev.skyloader.adapters.s3;

import java.net.URI;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Settings of the S3 source.
 *
 * @param endpoint  an endpoint override ({@code --s3-endpoint}) for S3-compatible stores
 * @param pathStyle path-style addressing ({@code --s3-path-style}) instead of virtual-hosted buckets
 */
public record S3Settings(Optional<URI> endpoint, boolean pathStyle) {
    public static final S3Settings DEFAULT = new S3Settings(Optional.empty(), false);

    public S3Settings {
        requireNonNull(endpoint, "endpoint is null");
    }
}
