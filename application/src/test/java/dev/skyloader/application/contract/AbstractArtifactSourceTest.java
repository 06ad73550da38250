package dev.skyloader.application.contract;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What every ArtifactSource must do, whatever the protocol behind it (Trino's AbstractTestTrinoFileSystem is the
 * model). Each source's test extends it with a real server behind the source.
 */
public abstract class AbstractArtifactSourceTest {
    protected static final int SIZE = 300_000;

    protected abstract ArtifactSource source();

    /** Stores (or replaces) an object and returns its URL. */
    protected abstract SourceUrl put(String name, byte[] content) throws Exception;

    /** A URL where no object is. */
    protected abstract SourceUrl missing() throws Exception;

    /** Makes the next answer cut its connection after {@code bytes} body bytes; false if this backend cannot. */
    protected abstract boolean cutNextResponseAfter(long bytes) throws Exception;

    protected static byte[] content(int seed) {
        byte[] bytes = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void readsTheWholeObjectWithItsSizeAndValidator() throws Exception {
        byte[] content = content(1);
        SourceUrl url = put("whole.bin", content);
        try (RemoteBody body = source().open(url, 0, Optional.empty())) {
            assertEquals(0, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertTrue(body.validator().isPresent(), "a validator to resume against");
            assertArrayEquals(content, readAll(body.body()));
        }
    }

    @Test
    void readsFromAnOffset() throws Exception {
        byte[] content = content(2);
        SourceUrl url = put("ranged.bin", content);
        Optional<String> validator = validatorOf(url);
        try (RemoteBody body = source().open(url, 123_456, validator)) {
            assertEquals(123_456, body.offset());
            assertEquals(SIZE, body.totalSize().orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(content, 123_456, SIZE), readAll(body.body()));
        }
    }

    @Test
    void anOffsetAtTheEndGivesAnEmptyBody() throws Exception {
        SourceUrl url = put("end.bin", content(3));
        Optional<String> validator = validatorOf(url);
        try (RemoteBody body = source().open(url, SIZE, validator)) {
            assertEquals(SIZE, body.offset());
            assertEquals(0, readAll(body.body()).length);
        }
    }

    @Test
    void aChangedObjectIsNeverSplicedOnResume() throws Exception {
        SourceUrl url = put("changing.bin", content(4));
        Optional<String> oldValidator = validatorOf(url);
        byte[] newer = content(5);
        put("changing.bin", newer);
        try (RemoteBody body = source().open(url, 100_000, oldValidator)) {
            assertEquals(0, body.offset(), "a changed object must come from byte 0");
            assertNotEquals(oldValidator, body.validator());
            assertArrayEquals(newer, readAll(body.body()));
        } catch (SourceException e) {
            assertEquals(SourceException.Kind.CHANGED, e.kind(), e.getMessage());
        }
    }

    @Test
    void aMissingObjectIsAPermanentError() throws Exception {
        SourceException e = assertThrows(SourceException.class, () -> source().open(missing(), 0, Optional.empty()));
        assertEquals(SourceException.Kind.PERMANENT, e.kind(), e.getMessage());
    }

    @Test
    void aConnectionCutMidBodyFailsTheReadAndTheNextRangeResumes() throws Exception {
        byte[] content = content(6);
        SourceUrl url = put("cut.bin", content);
        assumeTrue(cutNextResponseAfter(100_000), "this backend cannot cut a connection");
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Optional<String> validator = Optional.empty();
        RemoteBody body;
        try {
            body = source().open(url, 0, Optional.empty());
        } catch (SourceException e) {
            // A backend may fail the open when the cut came in with the headers (a large read buffer gets the whole
            // short body and the end at once): a transient error, and nothing was received. HTTP keeps that answer.
            assertEquals(SourceException.Kind.TRANSIENT, e.kind());
            body = null;
        }
        if (body != null) {
            try (RemoteBody opened = body) {
                validator = opened.validator();
                byte[] buffer = new byte[8192];
                IOException failure = assertThrows(IOException.class, () -> {
                    int n;
                    while ((n = opened.body().read(buffer)) >= 0) {
                        received.write(buffer, 0, n);
                    }
                });
                assertNotNull(failure);
            }
        }
        int got = received.size();
        assertTrue(got <= 100_000, "got " + got);
        try (RemoteBody rest = source().open(url, got, validator)) {
            assertEquals(got, rest.offset());
            received.write(readAll(rest.body()));
        }
        assertArrayEquals(content, received.toByteArray());
    }

    /** What a first request reports as the object's version, without reading its body. */
    protected Optional<String> validatorOf(SourceUrl url) throws Exception {
        try (RemoteBody first = source().open(url, 0, Optional.empty())) {
            return first.validator();
        }
    }

    protected static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
