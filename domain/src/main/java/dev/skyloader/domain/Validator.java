package dev.skyloader.domain;

import static java.util.Objects.requireNonNull;

/**
 * The version of a remote object that the bytes so far belong to: its ETag (or Last-Modified), and the source (a URL
 * without secrets) that issued it. A tag means something only to the host that made it, so the two travel together.
 *
 * @param tag    the ETag or Last-Modified value, as the source sent it
 * @param source the URL (redacted) the tag came from
 */
public record Validator(String tag, String source) {
    public Validator {
        requireNonNull(tag, "tag is null");
        requireNonNull(source, "source is null");
        if (tag.isBlank() || source.isBlank()) {
            throw new IllegalArgumentException("a validator needs a tag and a source");
        }
    }

    /** Whether this tag was issued by {@code otherSource} (a redacted URL) and so can be sent back to it. */
    public boolean issuedBy(String otherSource) {
        return source.equals(otherSource);
    }
}
