package dev.skyloader.adapters.s3;

import dev.skyloader.application.contract.AbstractArtifactSourceTest;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.domain.SourceUrl;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The source contract for the S3 source, whatever S3 endpoint is behind it. */
abstract class AbstractS3SourceTest extends AbstractArtifactSourceTest {
    static final String BUCKET = "artifacts";

    /** A client for the test's own uploads. */
    protected abstract S3Client uploads();

    protected abstract S3ArtifactSource s3Source();

    @Override
    protected ArtifactSource source() {
        return s3Source();
    }

    @Override
    protected SourceUrl put(String name, byte[] content) {
        uploads().putObject(b -> b.bucket(BUCKET).key(name), RequestBody.fromBytes(content));
        return new SourceUrl("s3://" + BUCKET + "/" + name);
    }

    @Override
    protected SourceUrl missing() {
        return new SourceUrl("s3://" + BUCKET + "/nothing-here");
    }
}
