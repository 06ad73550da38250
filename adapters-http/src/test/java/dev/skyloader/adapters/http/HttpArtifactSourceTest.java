package dev.skyloader.adapters.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.adapters.http.TestHttpServer.DropAfter;
import dev.skyloader.adapters.http.TestHttpServer.FullBodyOnIfRange;
import dev.skyloader.adapters.http.TestHttpServer.IgnoreRange;
import dev.skyloader.adapters.http.TestHttpServer.IgnoreRangeEnd;
import dev.skyloader.adapters.http.TestHttpServer.Redirect;
import dev.skyloader.adapters.http.TestHttpServer.StallAfter;
import dev.skyloader.adapters.http.TestHttpServer.Status;
import dev.skyloader.adapters.http.TestHttpServer.UnknownTotal;
import dev.skyloader.adapters.http.TestHttpServer.WrongContentRange;
import dev.skyloader.application.contract.AbstractArtifactSourceTest;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.SourceException.Kind;
import dev.skyloader.domain.SourceUrl;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpArtifactSourceTest extends AbstractArtifactSourceTest {
    private static final HttpSettings SETTINGS = HttpSettings.DEFAULT.withStallTimeout(Duration.ofMillis(500));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-10-21T07:26:00Z"), ZoneOffset.UTC);

    private TestHttpServer server;
    private HttpClient client;
    private HttpArtifactSource source;

    @BeforeEach
    void startServer() throws IOException {
        server = TestHttpServer.start();
        client = HttpClients.create(SETTINGS);
        source = new HttpArtifactSource(client, SETTINGS, CLOCK);
    }

    @AfterEach
    void stopServer() {
        server.close();
        client.shutdownNow();
    }

    @Override
    protected ArtifactSource source() {
        return source;
    }

    @Override
    protected SourceUrl put(String name, byte[] content) {
        server.put("/" + name, content);
        return new SourceUrl(server.url("/" + name));
    }

    @Override
    protected SourceUrl missing() {
        return new SourceUrl(server.url("/nothing-here"));
    }

    @Override
    protected boolean cutNextResponseAfter(long bytes) {
        server.enqueue(new DropAfter(bytes));
        return true;
    }

    @Test
    void aShortBodyCutAfterItsBytesIsAnAnswerWithThoseBytesNeverAFailedRequest() throws Exception {
        // With the 256 KiB read buffer the headers, 100 kB of body and the end of the connection often arrive in one
        // read, and the client may then fail send() itself. Whichever comes first, the answer, its validator and
        // its bytes are kept, and the cut fails the read after the last of them.
        byte[] content = content(21);
        SourceUrl url = put("short.bin", content);
        String etag = server.etag("/short.bin");
        for (int round = 0; round < 40; round++) {
            server.enqueue(new DropAfter(100_000));
            try (RemoteBody body = source.open(url, 0, Optional.empty())) {
                assertEquals(Optional.of(etag), body.validator(), "round " + round);
                assertEquals(SIZE, body.totalSize().orElseThrow(), "round " + round);
                byte[] buffer = new byte[SIZE];
                int[] got = {0};
                assertThrows(IOException.class, () -> {
                    int n;
                    while ((n = body.body().read(buffer, got[0], buffer.length - got[0])) >= 0) {
                        got[0] += n;
                    }
                }, "round " + round);
                assertEquals(100_000, got[0], "round " + round);
                assertArrayEquals(Arrays.copyOf(content, 100_000), Arrays.copyOf(buffer, got[0]), "round " + round);
            }
        }
    }

    @Test
    void resumesWithRangeAndIfRangeCarryingTheEtag() throws Exception {
        SourceUrl url = put("a.bin", content(1));
        String etag = server.etag("/a.bin");
        try (RemoteBody body = source.open(url, 1000, Optional.of(etag))) {
            assertEquals(1000, body.offset());
        }
        TestHttpServer.Request request = server.requests().get(0);
        assertEquals("bytes=1000-", request.range());
        assertEquals(etag, request.ifRange());
    }

    @Test
    void theFirstRequestAsksForNoRange() throws Exception {
        SourceUrl url = put("a.bin", content(1));
        source.open(url, 0, Optional.empty()).close();
        assertNull(server.requests().get(0).range());
    }

    @Test
    void aCdnAnsweringIfRangeWithTheSameEtagIsAskedAgainWithoutIfRange() throws Exception {
        byte[] content = content(2);
        SourceUrl url = put("cdn.bin", content);
        server.enqueue(new FullBodyOnIfRange());
        HttpArtifactSource source = new HttpArtifactSource(client, SETTINGS.withRefetchBelow(1000), CLOCK);
        try (RemoteBody body = source.open(url, 5000, Optional.of(server.etag("/cdn.bin")))) {
            assertEquals(5000, body.offset());
            assertArrayEquals(Arrays.copyOfRange(content, 5000, SIZE), body.body().readAllBytes());
        }
        List<TestHttpServer.Request> requests = server.requests();
        assertEquals(2, requests.size());
        assertNotNull(requests.get(0).ifRange());
        assertNull(requests.get(1).ifRange());
        assertEquals("bytes=5000-", requests.get(1).range());
    }

    @Test
    void aCdnIgnoringIfRangeOnASmallPrefixIsTakenFromByteZeroRatherThanAskedAgain() throws Exception {
        byte[] content = content(14);
        SourceUrl url = put("small.bin", content);
        server.enqueue(new FullBodyOnIfRange());
        try (RemoteBody body = source.open(url, 5000, Optional.of(server.etag("/small.bin")))) {
            assertEquals(0, body.offset(), "5000 bytes are cheaper to fetch again than a response in flight");
            assertArrayEquals(content, body.body().readAllBytes());
        }
        assertEquals(1, server.requests().size());
    }

    @Test
    void aServerIgnoringRangeIsAnsweredFromByteZero() throws Exception {
        byte[] content = content(3);
        SourceUrl url = put("norange.bin", content);
        server.always(new IgnoreRange());
        try (RemoteBody body = source.open(url, 777, Optional.empty())) {
            assertEquals(0, body.offset());
            assertArrayEquals(content, body.body().readAllBytes());
        }
    }

    @Test
    void aContentRangeOtherThanTheOneAskedForIsRejectedBeforeAnyByte() {
        SourceUrl url = put("wrong.bin", content(4));
        server.enqueue(new WrongContentRange());
        SourceException e = assertThrows(SourceException.class,
                () -> source.open(url, 1000, Optional.of(server.etag("/wrong.bin"))));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().contains("bytes 1001-"), e.getMessage());
    }

    @Test
    void a416AtTheFullLengthMeansEverythingIsHere() throws Exception {
        SourceUrl url = put("done.bin", content(5));
        try (RemoteBody body = source.open(url, SIZE, Optional.of(server.etag("/done.bin")))) {
            assertEquals(SIZE, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertEquals(-1, body.body().read());
        }
    }

    @Test
    void a416ForAnObjectThatShrankMeansItChanged() {
        SourceUrl url = put("shrunk.bin", content(6));
        SourceException e = assertThrows(SourceException.class, () -> source.open(url, SIZE + 10, Optional.empty()));
        assertEquals(Kind.CHANGED, e.kind());
    }

    @Test
    void aStalledBodyFailsItsReadInsteadOfHanging() throws Exception {
        SourceUrl url = put("stall.bin", content(7));
        server.enqueue(new StallAfter(10_000));
        try (RemoteBody body = source.open(url, 0, Optional.empty())) {
            byte[] buffer = new byte[4096];
            long read = 0;
            IOException e = null;
            try {
                int n;
                while ((n = body.body().read(buffer)) >= 0) {
                    read += n;
                }
            } catch (IOException stalled) {
                e = stalled;
            }
            assertNotNull(e, "the read must fail");
            assertTrue(e.getMessage().contains("stalled"), e.getMessage());
            assertEquals(10_000, read);
        }
    }

    @Test
    void followsRedirectsKeepingTheRange() throws Exception {
        byte[] content = content(8);
        put("real.bin", content);
        server.enqueue(new Redirect(302, server.url("/real.bin")));
        try (RemoteBody body = source.open(new SourceUrl(server.url("/alias.bin")), 10, Optional.empty())) {
            assertEquals(10, body.offset());
            assertArrayEquals(Arrays.copyOfRange(content, 10, SIZE), body.body().readAllBytes());
        }
        assertEquals("bytes=10-", server.requests().get(1).range());
    }

    @Test
    void aRedirectLoopIsPermanent() {
        put("loop.bin", content(9));
        server.always(new Redirect(301, "/loop.bin"));
        SourceException e = assertThrows(SourceException.class,
                () -> source.open(new SourceUrl(server.url("/loop.bin")), 0, Optional.empty()));
        assertEquals(Kind.PERMANENT, e.kind());
        assertTrue(e.getMessage().contains("redirects"), e.getMessage());
    }

    @Test
    void aRetryAfterDateIsAWaitMeasuredOnTheInjectedClock() {
        SourceUrl url = put("busy.bin", content(10));
        server.enqueue(new Status(429, Map.of("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")));
        SourceException e = assertThrows(SourceException.class, () -> source.open(url, 0, Optional.empty()));
        assertEquals(Optional.of(Duration.ofMinutes(2)), e.retryAfter());
    }

    @Test
    void serverErrorsAreTransientAndCarryRetryAfter() {
        SourceUrl url = put("busy.bin", content(10));
        server.enqueue(new Status(503, Map.of("Retry-After", "120")));
        SourceException e = assertThrows(SourceException.class, () -> source.open(url, 0, Optional.empty()));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertEquals(Optional.of(Duration.ofMinutes(2)), e.retryAfter());
        for (int status : new int[]{408, 429, 500, 502, 504}) {
            server.enqueue(new Status(status, Map.of()));
            assertEquals(Kind.TRANSIENT, assertThrows(SourceException.class,
                    () -> source.open(url, 0, Optional.empty())).kind(), "HTTP " + status);
        }
    }

    @Test
    void clientErrorsAreNotRetriedAndNeverShowTheSignature() {
        SourceUrl url = new SourceUrl(server.url("/signed.bin") + "?X-Amz-Signature=topsecret&X-Amz-Expires=60");
        put("signed.bin", content(11));
        server.enqueue(new Status(403, Map.of()));
        SourceException forbidden = assertThrows(SourceException.class, () -> source.open(url, 0, Optional.empty()));
        assertEquals(Kind.DENIED, forbidden.kind());
        assertTrue(forbidden.getMessage().contains("expired"), forbidden.getMessage());
        assertFalse(forbidden.getMessage().contains("topsecret"), forbidden.getMessage());
        assertEquals("X-Amz-Signature=topsecret&X-Amz-Expires=60", server.requests().get(0).query(),
                "the signature still reaches the server");
        for (int status : new int[]{400, 404, 410}) {
            server.enqueue(new Status(status, Map.of()));
            SourceException e = assertThrows(SourceException.class, () -> source.open(url, 0, Optional.empty()));
            assertEquals(Kind.PERMANENT, e.kind(), "HTTP " + status);
            assertFalse(e.getMessage().contains("topsecret"));
        }
    }

    @Test
    void aProbeSaysWhetherTheServerAnswersWithoutFetchingTheBody() throws Exception {
        SourceUrl url = put("probe.bin", content(13));
        assertTrue(source.probe(url));
        assertEquals("HEAD", server.requests().get(0).method());
        assertEquals(0, server.bodyBytesSent());
        server.enqueue(new Status(503, Map.of()));
        assertFalse(source.probe(url), "a server error is no reason to start early");
        server.enqueue(new Status(429, Map.of()));
        assertFalse(source.probe(url));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertFalse(source.probe(new SourceUrl("http://127.0.0.1:" + port + "/x")));
    }

    @Test
    void aRefusedConnectionIsTransient() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SourceException e = assertThrows(SourceException.class,
                () -> source.open(new SourceUrl("http://127.0.0.1:" + port + "/x"), 0, Optional.empty()));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void httpsWithAPrivateCaWorksAndRedirectsToHttpAreRefused(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.generate(dir);
        byte[] content = content(12);
        try (TestHttpServer secure = TestHttpServer.startHttps(certificates.serverContext());
             HttpClientCloser trusting = new HttpClientCloser(HttpClients.create(SETTINGS.withSslContext(certificates.clientContext())))) {
            secure.put("/model.bin", content);
            HttpArtifactSource tls = new HttpArtifactSource(trusting.client(), SETTINGS, CLOCK);
            try (RemoteBody body = tls.open(new SourceUrl(secure.url("/model.bin")), 0, Optional.empty())) {
                assertArrayEquals(content, body.body().readAllBytes());
            }

            put("model.bin", content);
            secure.enqueue(new Redirect(302, server.url("/model.bin")));
            SourceException downgrade = assertThrows(SourceException.class,
                    () -> tls.open(new SourceUrl(secure.url("/model.bin")), 0, Optional.empty()));
            assertEquals(Kind.PERMANENT, downgrade.kind());
            assertTrue(downgrade.getMessage().contains("https to http"), downgrade.getMessage());
            assertEquals(0, server.requests().size(), "the plain-HTTP URL was never contacted");

            SourceException untrusted = assertThrows(SourceException.class,
                    () -> source.open(new SourceUrl(secure.url("/model.bin")), 0, Optional.empty()));
            assertEquals(Kind.PERMANENT, untrusted.kind());
            assertTrue(untrusted.getMessage().contains("--ca-cert"), untrusted.getMessage());
        }
    }

    @Test
    void aClosedRangeGivesExactlyItsBytesWithTheObjectsSize() throws Exception {
        byte[] content = content(31);
        SourceUrl url = put("piece.bin", content);
        String etag = server.etag("/piece.bin");
        try (RemoteBody body = source.open(url, 100_000, 175_000, Optional.of(etag))) {
            assertEquals(100_000, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertEquals(Optional.of(etag), body.validator());
            assertArrayEquals(Arrays.copyOfRange(content, 100_000, 175_000), body.body().readAllBytes());
        }
        TestHttpServer.Request request = server.requests().get(0);
        assertEquals("bytes=100000-174999", request.range());
        assertEquals(etag, request.ifRange());
    }

    @Test
    void aClosedRangeAtOffsetZeroIsAskedForWithoutIfRange() throws Exception {
        byte[] content = content(32);
        SourceUrl url = put("head.bin", content);
        try (RemoteBody body = source.open(url, 0, 4096, Optional.of(server.etag("/head.bin")))) {
            assertEquals(0, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(content, 0, 4096), body.body().readAllBytes());
        }
        TestHttpServer.Request request = server.requests().get(0);
        assertEquals("bytes=0-4095", request.range());
        assertNull(request.ifRange(), "If-Range guards the bytes before the offset, and there are none");
    }

    @Test
    void aClosedRangePastTheObjectsEndGivesTheBytesUpToTheEnd() throws Exception {
        byte[] content = content(33);
        SourceUrl url = put("tail.bin", content);
        try (RemoteBody body = source.open(url, SIZE - 1000, SIZE + 5000, Optional.of(server.etag("/tail.bin")))) {
            assertEquals(SIZE - 1000, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(content, SIZE - 1000, SIZE), body.body().readAllBytes());
        }
        assertEquals("bytes=" + (SIZE - 1000) + "-" + (SIZE + 4999), server.requests().get(0).range());
    }

    @Test
    void closedRangesReadAtOnceOverFourConnectionsReassembleTheObject() throws Exception {
        byte[] content = content(34);
        SourceUrl url = put("pieces.bin", content);
        Optional<String> etag = Optional.of(server.etag("/pieces.bin"));
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
                    try (RemoteBody body = source.open(url, from, to, etag)) {
                        allOpen.countDown();
                        assertTrue(allOpen.await(10, TimeUnit.SECONDS), "four responses open at once");
                        assertEquals(from, body.offset());
                        assertEquals(SIZE, body.totalSize().orElseThrow());
                        byte[] bytes = body.body().readAllBytes();
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
        assertEquals(Set.of("bytes=0-70000", "bytes=70001-149999", "bytes=150000-222221", "bytes=222222-299999"),
                server.requests().stream().map(TestHttpServer.Request::range).collect(Collectors.toSet()));
    }

    @Test
    void aClosedRangeWithAStaleValidatorIsAnsweredWithTheWholeNewObject() throws Exception {
        SourceUrl url = put("replaced.bin", content(35));
        String old = server.etag("/replaced.bin");
        byte[] newer = content(36);
        put("replaced.bin", newer);
        // Past refetchBelow: a 200 would be asked again without If-Range if it carried the validator sent.
        HttpArtifactSource source = new HttpArtifactSource(client, SETTINGS.withRefetchBelow(1000), CLOCK);
        try (RemoteBody body = source.open(url, 100_000, 150_000, Optional.of(old))) {
            assertEquals(0, body.offset(), "the new object from byte 0, never its bytes spliced onto the old ones");
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertEquals(Optional.of(server.etag("/replaced.bin")), body.validator());
            assertArrayEquals(newer, body.body().readAllBytes());
        }
        List<TestHttpServer.Request> requests = server.requests();
        assertEquals(1, requests.size(), "a changed object is not asked for again without If-Range");
        assertEquals("bytes=100000-149999", requests.get(0).range());
        assertEquals(old, requests.get(0).ifRange());
    }

    @Test
    void closingALargeRangeEarlyDoesNotReadTheRest() throws Exception {
        byte[] content = new byte[32 << 20];
        new SplittableRandom(37).nextBytes(content);
        SourceUrl url = put("large.bin", content);
        long length = content.length - 2000;
        RemoteBody body = source.open(url, 1000, content.length - 1000, Optional.of(server.etag("/large.bin")));
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 1100), body.body().readNBytes(100));
        assertDoesNotThrow(body::close);
        assertTrue(server.awaitAnswered(1, Duration.ofSeconds(10)), "the server is still sending the range");
        // What the socket buffers took before the connection closed (a few MiB here), not the 32 MiB asked for.
        long sent = server.bodyBytesSent();
        assertTrue(sent < length / 2, "sent " + sent + " of the " + length + " bytes asked for");

        try (RemoteBody next = source.open(url, 5000, 6000, Optional.of(server.etag("/large.bin")))) {
            assertArrayEquals(Arrays.copyOfRange(content, 5000, 6000), next.body().readAllBytes(),
                    "the client still serves new requests");
        }
    }

    @Test
    void aContentRangeEndingPastTheEndAskedForIsRejectedBeforeAnyByte() {
        SourceUrl url = put("longer.bin", content(38));
        server.enqueue(new IgnoreRangeEnd());
        SourceException e = assertThrows(SourceException.class,
                () -> source.open(url, 1000, 5000, Optional.of(server.etag("/longer.bin"))));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().contains("from 1000 to 4999"), e.getMessage());
        assertTrue(e.getMessage().contains("bytes 1000-" + (SIZE - 1) + "/" + SIZE), e.getMessage());
        assertEquals("bytes=1000-4999", server.requests().get(0).range());
    }

    @Test
    void aClosedRangeOfUnknownTotalLeavesTheSizeUnknown() throws Exception {
        byte[] content = content(39);
        SourceUrl url = put("unknown.bin", content);
        server.enqueue(new UnknownTotal());
        try (RemoteBody body = source.open(url, 1000, 5000, Optional.of(server.etag("/unknown.bin")))) {
            assertEquals(1000, body.offset());
            assertTrue(body.totalSize().isEmpty(), "'bytes 1000-4999/*' does not say how large the object is");
            assertArrayEquals(Arrays.copyOfRange(content, 1000, 5000), body.body().readAllBytes());
        }
    }
}

/** HttpClient.close() waits for every exchange to finish; tests, like the CLI, stop it at once. */
record HttpClientCloser(HttpClient client) implements AutoCloseable {
    @Override
    public void close() {
        client.shutdownNow();
    }
}
