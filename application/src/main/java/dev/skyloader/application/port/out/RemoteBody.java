package dev.skyloader.application.port.out;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;
import static java.util.Objects.requireNonNull;

/**
 * One answer of an {@link ArtifactSource}: the bytes from {@code offset} on.
 *
 * @param offset    position in the object of the first byte of {@code body}
 * @param totalSize the size of the whole object, when the source knows it
 * @param validator the version of the object these bytes belong to (an ETag or Last-Modified), when known
 * @param body      the bytes; a read that fails is a transient error of the connection. A source guards it
 *                  against stalls: a body that stops flowing fails its read instead of blocking for ever.
 * @param end       the position after the last byte of this answer, when known: the end of the range served, or
 *                  the total size for a whole object (which tells a range ignored from one honoured at byte 0)
 */
public record RemoteBody(long offset, OptionalLong totalSize, Optional<String> validator, InputStream body,
                         OptionalLong end) implements Closeable {
    /** An answer that runs to the end of the object. */
    public RemoteBody(long offset, OptionalLong totalSize, Optional<String> validator, InputStream body) {
        this(offset, totalSize, validator, body, totalSize);
    }

    public RemoteBody {
        requireNonNull(end, "end is null");
        requireNonNull(totalSize, "totalSize is null");
        requireNonNull(validator, "validator is null");
        requireNonNull(body, "body is null");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (totalSize.isPresent() && totalSize.getAsLong() < offset) {
            throw new IllegalArgumentException("offset " + offset + " lies beyond the total size " + totalSize.getAsLong());
        }
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
