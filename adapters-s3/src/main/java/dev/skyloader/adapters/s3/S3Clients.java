package dev.skyloader.adapters.s3;

import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the synchronous S3 client on the pure-Java Apache HTTP client: no native code, as the devices need. */
final class S3Clients {
    /** Open connections to the store at most: twice the 16 connections one download may use. */
    static final int MAX_CONNECTIONS = 32;

    private S3Clients() {
    }

    static S3Client create(S3Settings settings) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .connectionTimeout(settings.connectTimeout())
                // Every read of the response waits at most this long: the stall watchdog of the S3 source.
                .socketTimeout(settings.stallTimeout())
                // Room for every connection of a download (--connections goes up to 16, shared by a sync's
                // artifacts) and a probe: a connection that waited for the pool would fail after the SDK's
                // acquisition timeout, and the connections of an encrypted download all ask at once, those after
                // the first holding their answers until the first brings the nonce.
                .maxConnections(MAX_CONNECTIONS);
        settings.trustManager().ifPresent(trust -> http.tlsTrustManagersProvider(() -> new TrustManager[]{trust}));
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(http)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region(settings))
                .forcePathStyle(settings.pathStyle())
                // Ranged reads carry no whole-object checksum; the SHA-256 of the artifact is the check that counts.
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Since SDK 2.30 requests carry x-amz-checksum-* headers by default, which S3-compatible stores
                // (S3Proxy, older MinIO and Ceph) refuse with 501: send them only where an operation requires them.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                // skyloader retries on its own schedule, resuming from the last byte: no hidden SDK retries.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static Region region(S3Settings settings) {
        if (settings.region().isPresent()) {
            return Region.of(settings.region().get());
        }
        try {
            // AWS_REGION / aws.region, then the profile. Not the EC2 metadata service, which the default chain
            // ends with: devices have none, and asking costs a timeout on every start.
            return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                    .getRegion();
        } catch (SdkClientException e) {
            // S3-compatible stores seldom care; AWS itself redirects the client to the bucket's region.
            return Region.US_EAST_1;
        }
    }
}
