package dev.skyloader.adapters.s3;

import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.application.port.out.SourceException.Kind;
import dev.skyloader.domain.ContentRange;
import dev.skyloader.domain.RetryAfter;
import dev.skyloader.domain.SourceUrl;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import static java.util.Objects.requireNonNull;

/**
 * Fetches {@code s3://bucket/key} from an offset with a ranged {@code GetObject}.
 *
 * <p>A resumed request sends {@code If-Match} with the ETag the bytes so far belong to: a replaced object answers
 * 412 and is fetched afresh from byte 0, never spliced. The {@code Content-Range} of each answer is checked before a
 * byte is handed out. Stalls fail the read through the HTTP client's socket timeout.
 */
final class S3ArtifactSource implements ArtifactSource {
    private final S3Client s3;
    private final Clock clock;

    /** The clock turns a {@code Retry-After} date into a wait: the same clock the waits are measured on. */
    @Inject
    S3ArtifactSource(S3Client s3, Clock clock) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
        return open(url, offset, -1, validator);
    }

    /** A GetObject of {@code bytes=<offset>-<end - 1>}, with {@code If-Match} as for an open range. */
    @Override
    public RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator) throws SourceException {
        if (end != -1 && end <= offset) {
            throw new IllegalArgumentException("empty range [" + offset + ", " + end + ")");
        }
        S3Location location = S3Location.of(url);
        String where = location.toString();
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(location.bucket()).key(location.key());
        if (offset > 0 || end != -1) {
            request.range("bytes=" + offset + "-" + (end == -1 ? "" : Long.toString(end - 1)));
        }
        if (offset > 0) {
            validator.ifPresent(request::ifMatch);
        }
        ResponseInputStream<GetObjectResponse> body;
        try {
            body = s3.getObject(request.build());
        } catch (AwsServiceException e) {
            if (e.statusCode() == 416) {
                return atTheEnd(location, offset, validator);
            }
            throw classify(where, e);
        } catch (SdkClientException e) {
            throw classify(where, e);
        }
        GetObjectResponse response = body.response();
        Optional<String> etag = Optional.ofNullable(response.eTag());
        String contentRange = response.contentRange();
        if (contentRange == null) {
            // From byte 0: asked for, or the range was ignored (the caller then starts over).
            return new RemoteBody(0, length(response), etag, new Abortable(body));
        }
        Optional<ContentRange> range = parsed(contentRange)
                .filter(r -> r.first() == offset && (end == -1 || r.last() < end));
        if (range.isEmpty()) {
            close(body);
            throw SourceException.transientError(where + ": asked for bytes from " + offset
                    + (end == -1 ? "" : " to " + (end - 1)) + " but got Content-Range '" + contentRange + "'", null);
        }
        OptionalLong total = range.get().total().isPresent() || end == -1
                ? OptionalLong.of(range.get().impliedTotal()) : OptionalLong.empty();
        return new RemoteBody(offset, total, etag, new Abortable(body), OptionalLong.of(range.get().last() + 1));
    }

    /**
     * A body that, closed before its end, aborts the connection instead of reading the rest to reuse it: a piece cut
     * short (split for another connection, or stopped) must not pay for the bytes it no longer wants.
     */
    private static final class Abortable extends java.io.FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> body;
        private boolean ended;

        Abortable(ResponseInputStream<GetObjectResponse> body) {
            super(body);
            this.body = body;
        }

        @Override
        public int read() throws java.io.IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws java.io.IOException {
            int n = super.read(bytes, offset, length);
            ended |= n < 0;
            return n;
        }

        @Override
        public void close() throws java.io.IOException {
            if (!ended) {
                body.abort();
            }
            super.close();
        }
    }

    /** A HeadObject: any answer but a server error or throttling means the link and the store are back. */
    @Override
    public boolean probe(SourceUrl url) {
        try {
            S3Location location = S3Location.of(url);
            s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
            return true;
        } catch (AwsServiceException e) {
            return e.statusCode() < 500 && e.statusCode() != 429 && !e.isThrottlingException();
        } catch (SourceException | SdkClientException e) {
            return false;
        }
    }

    /** S3 answers a range that starts at the end with 416: everything is here, if the object is still the same. */
    private RemoteBody atTheEnd(S3Location location, long offset, Optional<String> validator) throws SourceException {
        HeadObjectRequest.Builder head = HeadObjectRequest.builder().bucket(location.bucket()).key(location.key());
        validator.ifPresent(head::ifMatch);
        HeadObjectResponse response;
        try {
            response = s3.headObject(head.build());
        } catch (AwsServiceException | SdkClientException e) {
            throw classify(location.toString(), e);
        }
        long size = response.contentLength() == null ? -1 : response.contentLength();
        if (size == offset) {
            return new RemoteBody(offset, OptionalLong.of(size), Optional.ofNullable(response.eTag()),
                    InputStream.nullInputStream());
        }
        throw SourceException.changed(location + " is now " + size + " bytes, not more than the " + offset
                + " bytes already downloaded");
    }

    /** Empty when malformed: the caller reports it with the raw header. */
    private static Optional<ContentRange> parsed(String contentRange) {
        try {
            return Optional.of(ContentRange.parse(contentRange));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static OptionalLong length(GetObjectResponse response) {
        return response.contentLength() == null ? OptionalLong.empty() : OptionalLong.of(response.contentLength());
    }

    SourceException classify(String where, AwsServiceException e) {
        int status = e.statusCode();
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
        String what = where + ": " + (code.isEmpty() ? "HTTP " + status : code + " (HTTP " + status + ")");
        if (status == 412 || "PreconditionFailed".equals(code)) {
            return SourceException.changed(where + " was replaced since the download started (its ETag changed)");
        }
        if ("ExpiredToken".equals(code) || "TokenRefreshRequired".equals(code)) {
            return SourceException.denied(what + ": the AWS credentials have expired; refresh them and run again");
        }
        if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
            return SourceException.denied(what + ": the AWS credentials were refused");
        }
        if (status == 404 || "NoSuchKey".equals(code) || "NoSuchBucket".equals(code)) {
            return SourceException.permanent(what + ": no such " + ("NoSuchBucket".equals(code) ? "bucket" : "object"));
        }
        if (status == 403) {
            return SourceException.denied(what + ": access denied");
        }
        if (status == 408 || status == 429 || status >= 500 || "RequestTimeout".equals(code)
                || "SlowDown".equals(code) || e.isThrottlingException()) {
            return new SourceException(Kind.TRANSIENT, what, retryAfter(e).orElse(null), e);
        }
        return SourceException.permanent(what);
    }

    static SourceException classify(String where, SdkClientException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Unable to load credentials") || message.contains("Unable to load region")) {
            return SourceException.permanent(where + ": no AWS credentials found (set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role)");
        }
        return SourceException.transientError(where + ": " + firstLine(message), e);
    }

    private SourceException classify(String where, RuntimeException e) {
        return e instanceof AwsServiceException service ? classify(where, service)
                : classify(where, (SdkClientException) e);
    }

    private Optional<Duration> retryAfter(AwsServiceException e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null) {
            return Optional.empty();
        }
        return e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After")
                .flatMap(value -> RetryAfter.parse(value, clock.instant()));
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void close(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // abandoning the response anyway
        }
    }
}
