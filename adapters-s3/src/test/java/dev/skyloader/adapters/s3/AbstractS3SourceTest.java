package dev.skyloader.adapters.s3;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.contract.AbstractArtifactSourceTest;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.SourceException.Kind;
import dev.skyloader.domain.SourceUrl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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

    /**
     * Waits until {@code connections} connections of the source's client have closed, then returns how many bytes
     * reached that client over all its connections; empty when this backend cannot tell.
     */
    protected OptionalLong bytesReceivedOnceClosed(int connections) throws Exception {
        return OptionalLong.empty();
    }

    @Test
    void aClosedRangeGivesExactlyItsBytesWithTheObjectsSize() throws Exception {
        byte[] content = content(31);
        SourceUrl url = put("piece.bin", content);
        Optional<String> etag = validatorOf(url);
        try (RemoteBody body = source().open(url, 100_000, 175_000, etag)) {
            assertEquals(100_000, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertEquals(etag, body.validator());
            assertArrayEquals(Arrays.copyOfRange(content, 100_000, 175_000), readAll(body.body()));
        }
    }

    @Test
    void aClosedRangeAtOffsetZero() throws Exception {
        byte[] content = content(32);
        SourceUrl url = put("head.bin", content);
        try (RemoteBody body = source().open(url, 0, 4096, Optional.empty())) {
            assertEquals(0, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertTrue(body.validator().isPresent());
            assertArrayEquals(Arrays.copyOfRange(content, 0, 4096), readAll(body.body()));
        }
    }

    @Test
    void aClosedRangePastTheObjectsEndGivesTheBytesUpToTheEnd() throws Exception {
        byte[] content = content(33);
        SourceUrl url = put("tail.bin", content);
        try (RemoteBody body = source().open(url, SIZE - 1000, SIZE + 5000, validatorOf(url))) {
            assertEquals(SIZE - 1000, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(content, SIZE - 1000, SIZE), readAll(body.body()));
        }
    }

    @Test
    void closedRangesReadAtOnceOverFourConnectionsReassembleTheObject() throws Exception {
        byte[] content = content(34);
        SourceUrl url = put("pieces.bin", content);
        Optional<String> etag = validatorOf(url);
        int[] bounds = {0, 70_001, 150_000, 222_222, SIZE};
        byte[] assembled = new byte[SIZE];
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch allOpen = new CountDownLatch(4);
        List<Future<?>> pieces = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                int from = bounds[i];
                int to = bounds[i + 1];
                pieces.add(threads.submit(() -> {
                    start.await();
                    try (RemoteBody body = source().open(url, from, to, etag)) {
                        allOpen.countDown();
                        assertTrue(allOpen.await(10, TimeUnit.SECONDS), "four responses open at once");
                        assertEquals(from, body.offset());
                        assertEquals(SIZE, body.totalSize().orElseThrow());
                        byte[] bytes = readAll(body.body());
                        assertEquals(to - from, bytes.length);
                        System.arraycopy(bytes, 0, assembled, from, bytes.length);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> piece : pieces) {
                piece.get(30, TimeUnit.SECONDS);
            }
        }
        assertArrayEquals(content, assembled);
    }

    @Test
    void aClosedRangeWithAStaleEtagIsRefusedAsChanged() throws Exception {
        SourceUrl url = put("replaced.bin", content(35));
        Optional<String> old = validatorOf(url);
        put("replaced.bin", content(36));
        SourceException e = assertThrows(SourceException.class, () -> source().open(url, 100_000, 150_000, old));
        assertEquals(Kind.CHANGED, e.kind(), e.getMessage());
    }

    @Test
    void closingALargeRangeEarlyAbortsInsteadOfReadingTheRest() throws Exception {
        byte[] content = new byte[32 << 20];
        new SplittableRandom(37).nextBytes(content);
        SourceUrl url = put("large.bin", content);
        long length = content.length - 2000;
        RemoteBody body = source().open(url, 1000, content.length - 1000, Optional.empty());
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 1100), body.body().readNBytes(100));
        assertDoesNotThrow(body::close);
        OptionalLong received = bytesReceivedOnceClosed(1);
        if (received.isPresent()) {
            // What the socket buffers took before the connection was aborted, not the 32 MiB asked for.
            assertTrue(received.getAsLong() < length / 2,
                    "received " + received.getAsLong() + " of the " + length + " bytes asked for");
        }

        try (RemoteBody next = source().open(url, 5000, 6000, Optional.empty())) {
            assertArrayEquals(Arrays.copyOfRange(content, 5000, 6000), readAll(next.body()),
                    "the client still serves new requests");
        }
    }
}
