package dev.skyloader.application.port.out;

import dev.skyloader.domain.SourceUrl;
import java.util.Optional;

/**
 * Where artifact bytes come from: an HTTP(S) server, an S3 bucket.
 *
 * <p>{@link #open} asks for the object from byte {@code offset} to its end. The answer says which byte it really
 * starts at: {@code offset} when the source resumed, or {@code 0} when it sends the whole object again (the server
 * ignored the range, or the object no longer matches {@code validator}). A source never answers with any other start.
 * A source rejects an answer whose stated range is not the one asked for before handing out a single byte.
 */
public interface ArtifactSource {
    /**
     * @param url       the object; its query string may hold a signature, which must never reach a message
     * @param offset    the first byte wanted, {@code >= 0}
     * @param validator the remote version (ETag or Last-Modified) the bytes before {@code offset} belong to, if known:
     *                  a source that can tell the object changed answers from byte 0 instead of splicing versions
     * @throws SourceException classified as transient, permanent, or "changed"
     */
    RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException;

    /**
     * Asks for bytes {@code [offset, end)} only: one piece of an artifact fetched over several connections. The
     * answer starts at {@code offset} (or at {@code 0}, as for {@link #open(SourceUrl, long, Optional)}) and may run
     * past {@code end}: a source that cannot ask for a closed range sends to the end, and the caller stops reading.
     * Its {@link RemoteBody#totalSize()} is the object's size only when the source was told it.
     *
     * @param end the first byte not wanted, {@code > offset}
     */
    default RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator) throws SourceException {
        return open(url, offset, validator);
    }

    /**
     * Asks cheaply, without fetching the body, whether the source would serve the object now: used to cut a long
     * backoff short when the link comes back. False when it does not answer, answers with a server error or a
     * request to slow down, or when this source cannot tell. Costs a few hundred bytes at most.
     */
    default boolean probe(SourceUrl url) {
        return false;
    }
}
