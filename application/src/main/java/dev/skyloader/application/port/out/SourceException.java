package dev.skyloader.application.port.out;

import java.time.Duration;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * A source could not deliver. The message names the object without secrets (no query string, no credentials).
 */
public final class SourceException extends Exception {
    /** What the caller should do about it. */
    public enum Kind {
        /** The link or the server may recover: try again later (resets, timeouts, stalls, 408, 429, 5xx). */
        TRANSIENT,
        /** Trying again will not help (404, 410, most 4xx, a redirect to plain HTTP). */
        PERMANENT,
        /** The object is not the one the bytes so far belong to: start again from byte 0. */
        CHANGED,
        /**
         * Access refused (HTTP 403, expired or refused credentials). For a URL that worked before, most likely an
         * expired presigned URL or credentials: retrying the same URL will not help, a fresh one will.
         */
        DENIED
    }

    private final Kind kind;
    private final transient Duration retryAfter;

    public SourceException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public SourceException(Kind kind, String message, Throwable cause) {
        this(kind, message, null, cause);
    }

    public SourceException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.kind = requireNonNull(kind, "kind is null");
        this.retryAfter = retryAfter;
    }

    public static SourceException transientError(String message, Throwable cause) {
        return new SourceException(Kind.TRANSIENT, message, cause);
    }

    public static SourceException permanent(String message) {
        return new SourceException(Kind.PERMANENT, message);
    }

    public static SourceException denied(String message) {
        return new SourceException(Kind.DENIED, message);
    }

    public static SourceException changed(String message) {
        return new SourceException(Kind.CHANGED, message);
    }

    public Kind kind() {
        return kind;
    }

    /** How long the server asked us to wait ({@code Retry-After}), if it did. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
