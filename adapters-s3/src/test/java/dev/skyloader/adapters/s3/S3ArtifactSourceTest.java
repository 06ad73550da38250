package dev.skyloader.adapters.s3;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.SourceException.Kind;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/** The S3 source against a real S3 endpoint in this JVM (S3Proxy, SigV4), through a proxy that can cut or stall. */
class S3ArtifactSourceTest extends AbstractS3SourceTest {
    private static TestS3Server s3;
    private static S3Client uploads;

    private FaultyTcpProxy proxy;
    private S3Client client;
    private S3ArtifactSource source;

    @BeforeAll
    static void startS3() throws Exception {
        TestS3Server.installCredentials();
        s3 = TestS3Server.start();
        s3.createBucket(BUCKET);
        uploads = s3.client();
    }

    @AfterAll
    static void stopS3() throws Exception {
        uploads.close();
        s3.close();
        TestS3Server.clearCredentials();
    }

    @BeforeEach
    void connect() throws IOException {
        proxy = new FaultyTcpProxy(s3.port());
        client = S3Clients.create(settings());
        source = new S3ArtifactSource(client, Clock.systemUTC());
    }

    @AfterEach
    void disconnect() throws IOException {
        client.close();
        proxy.close();
    }

    private S3Settings settings() {
        return S3Settings.DEFAULT.withEndpoint(URI.create("http://127.0.0.1:" + proxy.port()), true)
                .withRegion(TestS3Server.REGION).withStallTimeout(Duration.ofMillis(500));
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
        proxy.cutAfter(bytes);
        return true;
    }

    @Override
    protected OptionalLong bytesReceivedOnceClosed(int connections) throws Exception {
        assertTrue(proxy.awaitClosedConnections(connections, Duration.ofSeconds(10)),
                "fewer than " + connections + " connections closed: a body read to its end to keep its connection?");
        return OptionalLong.of(proxy.bytesToClient());
    }

    @Test
    void aMultipartObjectWithItsDashNEtagDownloadsAndResumes() throws Exception {
        byte[] part1 = content(21);
        byte[] first = new byte[5 << 20];
        for (int i = 0; i < first.length; i += part1.length) {
            System.arraycopy(part1, 0, first, i, Math.min(part1.length, first.length - i));
        }
        byte[] second = content(22);
        String uploadId = uploads.createMultipartUpload(b -> b.bucket(BUCKET).key("multi.bin")).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        int number = 1;
        for (byte[] bytes : List.of(first, second)) {
            int partNumber = number++;
            String etag = uploads.uploadPart(b -> b.bucket(BUCKET).key("multi.bin").uploadId(uploadId)
                    .partNumber(partNumber), RequestBody.fromBytes(bytes)).eTag();
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        }
        uploads.completeMultipartUpload(b -> b.bucket(BUCKET).key("multi.bin").uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        byte[] whole = new byte[first.length + second.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(second, 0, whole, first.length, second.length);

        SourceUrl url = new SourceUrl("s3://" + BUCKET + "/multi.bin");
        Optional<String> etag = validatorOf(url);
        assertTrue(etag.orElseThrow().endsWith("-2\""), "a multipart ETag: " + etag);
        int offset = (5 << 20) + 1234;
        try (RemoteBody body = source.open(url, offset, etag)) {
            assertEquals(offset, body.offset());
            assertEquals(whole.length, body.totalSize().orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(whole, offset, whole.length), body.body().readAllBytes());
        }
    }

    @Test
    void aProbeAnswersWhenTheStoreIsReachable() throws Exception {
        SourceUrl url = put("probe.bin", content(25));
        assertTrue(source.probe(url));
        assertTrue(source.probe(missing()), "a 404 is an answer: the link is up");
        proxy.close();
        assertFalse(source.probe(url), "nothing listens: the link is down");
    }

    @Test
    void aMissingBucketIsPermanent() {
        SourceException e = assertThrows(SourceException.class,
                () -> source.open(new SourceUrl("s3://no-such-bucket/x"), 0, Optional.empty()));
        assertEquals(Kind.PERMANENT, e.kind());
        assertTrue(e.getMessage().contains("NoSuchBucket"), e.getMessage());
    }

    @Test
    void refusedCredentialsAreDeniedAndNotShown() {
        put("secret.bin", content(23));
        System.setProperty("aws.secretAccessKey", "wrong-secret");
        try (S3Client wrong = S3Clients.create(settings())) {
            SourceException e = assertThrows(SourceException.class, () -> new S3ArtifactSource(wrong, Clock.systemUTC())
                    .open(new SourceUrl("s3://" + BUCKET + "/secret.bin"), 0, Optional.empty()));
            assertEquals(Kind.DENIED, e.kind(), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-secret"));
        } finally {
            System.setProperty("aws.secretAccessKey", TestS3Server.SECRET_KEY);
        }
    }

    @Test
    void aStalledResponseFailsItsReadInsteadOfHanging() throws Exception {
        SourceUrl url = put("stall.bin", content(24));
        proxy.stallAfter(50_000);
        try (RemoteBody body = source.open(url, 0, Optional.empty())) {
            assertThrows(IOException.class, () -> body.body().readAllBytes());
        }
    }

    @Test
    void aUrlWithoutKeyIsRefused() {
        SourceException e = assertThrows(SourceException.class,
                () -> source.open(new SourceUrl("s3://bucket-only/"), 0, Optional.empty()));
        assertEquals(Kind.PERMANENT, e.kind());
    }
}
