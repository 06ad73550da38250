package dev.skyloader.adapters.s3;

import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The same source contract against LocalStack's S3, where Docker runs; skipped (not failed) where it does not.
 * The image is pinned to a release that runs without an auth token (later "latest" images require one).
 */
@Testcontainers(disabledWithoutDocker = true)
class S3LocalStackTest extends AbstractS3SourceTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
            DockerImageName.parse("localstack/localstack:4.0.3")).withServices(LocalStackContainer.Service.S3);

    private static S3Client uploads;
    private static S3ArtifactSource source;
    private static S3Client sourceClient;

    @BeforeAll
    static void connect() {
        System.setProperty("aws.accessKeyId", LOCALSTACK.getAccessKey());
        System.setProperty("aws.secretAccessKey", LOCALSTACK.getSecretKey());
        uploads = S3Client.builder().endpointOverride(LOCALSTACK.getEndpoint()).forcePathStyle(true)
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .build();
        uploads.createBucket(b -> b.bucket(BUCKET));
        sourceClient = S3Clients.create(new S3Settings(Optional.of(LOCALSTACK.getEndpoint()), true,
                Optional.of(LOCALSTACK.getRegion()), S3Settings.DEFAULT.connectTimeout(),
                S3Settings.DEFAULT.stallTimeout(), Optional.empty()));
        source = new S3ArtifactSource(sourceClient, Clock.systemUTC());
    }

    @AfterAll
    static void disconnect() {
        if (uploads != null) {
            uploads.close();
            sourceClient.close();
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Override
    protected S3Client uploads() {
        return uploads;
    }

    @Override
    protected S3ArtifactSource s3Source() {
        return source;
    }

    @Override
    protected boolean cutNextResponseAfter(long bytes) {
        return false;
    }
}
