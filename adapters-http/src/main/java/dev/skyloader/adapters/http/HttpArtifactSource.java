package dev.skyloader.adapters.http;

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
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import static java.util.Objects.requireNonNull;

/**
 * Fetches an object over HTTP(S) from an offset with {@code Range: bytes=<offset>-}.
 *
 * <p>{@code If-Range} carries the ETag (or Last-Modified) the bytes so far belong to, so a server whose object
 * changed answers 200 with the new whole object, which the caller takes from byte 0. Some CDNs answer every
 * {@code If-Range} with a 200; when that 200 carries the very validator we sent, the range is asked again without
 * {@code If-Range}. A 206 is accepted only when its {@code Content-Range} starts at the offset asked for.
 * Messages name the URL without its query string: a presigned URL's signature is a secret.
 */
final class HttpArtifactSource implements ArtifactSource {
    private static final String USER_AGENT = "skyloader/0.1";

    private final HttpClient client;
    private final HttpSettings settings;
    private final Clock clock;

    /** The clock turns a {@code Retry-After} date into a wait: the same clock the waits are measured on. */
    @Inject
    HttpArtifactSource(HttpClient client, HttpSettings settings, Clock clock) {
        this.client = requireNonNull(client, "client is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
        return open(url, offset, -1, validator);
    }

    /** {@code Range: bytes=<offset>-<end - 1>}, with {@code If-Range} as for an open range. */
    @Override
    public RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator) throws SourceException {
        if (end != -1 && end <= offset) {
            throw new IllegalArgumentException("empty range [" + offset + ", " + end + ")");
        }
        URI uri = toUri(url);
        String host = uri.getHost();
        Optional<String> ifRange = validator.filter(HttpArtifactSource::usableInIfRange);
        for (int redirects = 0; ; ) {
            // The user's headers go to the host of the URL they gave, not to where it redirects elsewhere.
            boolean sameHost = host != null && host.equalsIgnoreCase(uri.getHost());
            HttpResponse<InputStream> response = send(uri, offset, end, offset > 0 ? ifRange : Optional.empty(),
                    sameHost);
            int status = response.statusCode();
            if (isRedirect(status)) {
                close(response);
                if (++redirects > settings.maxRedirects()) {
                    throw SourceException.permanent(redacted(url) + ": more than " + settings.maxRedirects()
                            + " redirects (a redirect loop?)");
                }
                uri = redirectTarget(uri, response, url);
                continue;
            }
            if (status == 200 && offset >= settings.refetchBelow() && ifRange.isPresent()
                    && ifRange.equals(validatorOf(response.headers()))) {
                // The object did not change, yet the server ignored If-Range: ask for the range alone.
                close(response);
                ifRange = Optional.empty();
                continue;
            }
            return answer(url, uri, offset, end, validator, response);
        }
    }

    /** A HEAD: any answer but a server error or a request to slow down means the link and the server are back. */
    @Override
    public boolean probe(SourceUrl url) {
        try {
            HttpRequest.Builder head = HttpRequest.newBuilder(toUri(url))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(settings.stallTimeout());
            settings.headers().forEach(header -> head.header(header.name(), header.value()));
            if (settings.headers().stream().noneMatch(h -> h.name().equalsIgnoreCase("User-Agent"))) {
                head.header("User-Agent", USER_AGENT);
            }
            HttpRequest request = head.build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status < 500 && status != 429;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (SourceException | IOException | RuntimeException e) {
            return false;
        }
    }

    private RemoteBody answer(SourceUrl url, URI uri, long offset, long end, Optional<String> validator,
                              HttpResponse<InputStream> response) throws SourceException {
        int status = response.statusCode();
        HttpHeaders headers = response.headers();
        Optional<String> remoteValidator = validatorOf(headers);
        switch (status) {
            case 200 -> {
                OptionalLong length = headers.firstValueAsLong("content-length");
                return new RemoteBody(0, length, remoteValidator, response.body());
            }
            case 206 -> {
                ContentRange range = contentRange(headers).orElse(null);
                if (range == null || range.first() != offset || (end != -1 && range.last() >= end)) {
                    close(response);
                    throw SourceException.transientError(redacted(url) + ": asked for bytes from " + offset
                            + (end == -1 ? "" : " to " + (end - 1))
                            + " but the server answered with Content-Range '"
                            + headers.firstValue("content-range").orElse("(none)") + "'", null);
                }
                // A closed range answered with an unknown total ("*") says nothing about the object's size.
                OptionalLong total = range.total().isPresent() || end == -1 ? OptionalLong.of(range.impliedTotal())
                        : OptionalLong.empty();
                return new RemoteBody(offset, total, remoteValidator, response.body(),
                        OptionalLong.of(range.last() + 1));
            }
            case 416 -> {
                close(response);
                OptionalLong total = unsatisfiedTotal(headers);
                if (total.isPresent() && total.getAsLong() == offset) {
                    // Everything was already here: an empty body at the end of the object.
                    return new RemoteBody(offset, total, validator, InputStream.nullInputStream());
                }
                throw SourceException.changed(redacted(url) + " is now "
                        + (total.isPresent() ? total.getAsLong() + " bytes" : "of unknown size")
                        + ", not more than the " + offset + " bytes already downloaded");
            }
            default -> {
                close(response);
                throw classify(url, uri, status, headers);
            }
        }
    }

    private HttpResponse<InputStream> send(URI uri, long offset, long end, Optional<String> ifRange,
                                           boolean withUserHeaders) throws SourceException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET()
                .timeout(settings.stallTimeout())
                .header("Accept-Encoding", "identity");
        boolean agent = false;
        if (withUserHeaders) {
            for (HttpSettings.Header header : settings.headers()) {
                request.header(header.name(), header.value());
                agent |= header.name().equalsIgnoreCase("User-Agent");
            }
        }
        if (!agent) {
            request.header("User-Agent", USER_AGENT);
        }
        if (offset > 0 || end != -1) {
            request.header("Range", "bytes=" + offset + "-" + (end == -1 ? "" : Long.toString(end - 1)));
            ifRange.ifPresent(value -> request.header("If-Range", value));
        }
        String where = redacted(uri);
        try {
            return sendKeepingAnswer(request.build());
        } catch (HttpConnectTimeoutException e) {
            throw SourceException.transientError(where + ": connect timed out after "
                    + settings.connectTimeout().toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw SourceException.transientError(where + ": no response within "
                    + settings.stallTimeout().toMillis() + " ms", e);
        } catch (SSLHandshakeException e) {
            throw new SourceException(Kind.PERMANENT, where + ": TLS handshake failed (" + e.getMessage()
                    + "); for a private CA pass --ca-cert", e);
        } catch (SSLException e) {
            throw SourceException.transientError(where + ": TLS error (" + e.getMessage() + ")", e);
        } catch (ConnectException e) {
            String what = unresolved(e) ? "cannot resolve host " + uri.getHost() : "connection refused";
            throw SourceException.transientError(where + ": " + what, e);
        } catch (IOException | LazySslContext.Unavailable e) {
            // The client reports a TLS context that could not be made wrapped in an IOException (or, should it not,
            // as it is): no retry mends that.
            LazySslContext.Unavailable tls = LazySslContext.unavailableIn(e);
            if (tls != null) {
                throw new SourceException(Kind.PERMANENT, where + ": " + tls.getMessage(), e);
            }
            throw SourceException.transientError(where + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw SourceException.permanent(where + ": not a usable URL (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SourceException.transientError(where + ": interrupted", e);
        }
    }

    /**
     * Sends and returns the answer, even one whose body failed before {@code send} returned. With the client's larger
     * read buffers a short body and the cut after it can arrive in one read; the client may then fail the request
     * although the status, the headers and the body's bytes already reached the subscriber. That answer is given
     * back as it was: its validator counts, its bytes are read, and the failure comes after them, as a cut body's.
     */
    private HttpResponse<InputStream> sendKeepingAnswer(HttpRequest request) throws IOException, InterruptedException {
        AtomicReference<Answer> answered = new AtomicReference<>();
        try {
            return client.send(request, info -> {
                StallGuardedBody body = new StallGuardedBody(settings.stallTimeout());
                answered.set(new Answer(request, info, body));
                return body;
            });
        } catch (IOException e) {
            Answer answer = answered.get();
            if (answer == null) {
                throw e;
            }
            answer.body().failAfterWhatArrived(e);
            return answer;
        }
    }

    /** An answer whose status and headers arrived, whatever became of its body. */
    private record Answer(HttpRequest request, HttpResponse.ResponseInfo info, StallGuardedBody body)
            implements HttpResponse<InputStream> {
        @Override
        public int statusCode() {
            return info.statusCode();
        }

        @Override
        public Optional<HttpResponse<InputStream>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return info.headers();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return info.version();
        }
    }

    private static boolean unresolved(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private SourceException classify(SourceUrl url, URI uri, int status, HttpHeaders headers) {
        String where = redacted(uri);
        if (status == 408 || status == 429 || status >= 500) {
            return new SourceException(Kind.TRANSIENT, where + ": HTTP " + status, retryAfter(headers).orElse(null), null);
        }
        if (status == 403) {
            return SourceException.denied(where + ": HTTP 403 Forbidden (access denied: a presigned URL may have"
                    + " expired; ask the update service for a fresh one)");
        }
        if (status == 404 || status == 410) {
            return SourceException.permanent(where + ": HTTP " + status + " (no such object)");
        }
        if (status == 304) {
            return SourceException.permanent(where + ": HTTP 304 to an unconditional request");
        }
        if (status >= 400) {
            return SourceException.permanent(where + ": HTTP " + status);
        }
        return SourceException.transientError(where + ": unexpected HTTP " + status, null);
    }

    private URI redirectTarget(URI from, HttpResponse<?> response, SourceUrl url) throws SourceException {
        String location = response.headers().firstValue("location").orElseThrow(() -> SourceException.permanent(
                redacted(url) + ": HTTP " + response.statusCode() + " redirect without a Location header"));
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw SourceException.permanent(redacted(from) + ": redirect to an invalid Location");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equals(scheme)) {
            throw SourceException.permanent(redacted(from) + ": refusing a redirect from https to "
                    + (scheme.isEmpty() ? "a URL without scheme" : scheme) + " (" + redacted(next) + ")");
        }
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw SourceException.permanent(redacted(from) + ": refusing a redirect to scheme '" + scheme + "'");
        }
        return next;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** A strong ETag, else Last-Modified: what If-Range may carry. */
    static Optional<String> validatorOf(HttpHeaders headers) {
        Optional<String> etag = headers.firstValue("etag").map(String::trim);
        if (etag.isPresent() && !etag.get().startsWith("W/")) {
            return etag;
        }
        return headers.firstValue("last-modified").map(String::trim);
    }

    private static boolean usableInIfRange(String validator) {
        return !validator.startsWith("W/");
    }

    /** The Content-Range of a 206; empty when missing or malformed, which the caller reports with the raw header. */
    static Optional<ContentRange> contentRange(HttpHeaders headers) {
        Optional<String> header = headers.firstValue("content-range");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ContentRange.parse(header.get()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The total a 416 states ({@code bytes *}{@code /<total>}); empty when it states none we can read. */
    private static OptionalLong unsatisfiedTotal(HttpHeaders headers) {
        Optional<String> header = headers.firstValue("content-range");
        if (header.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(ContentRange.parseUnsatisfied(header.get()));
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    private Optional<Duration> retryAfter(HttpHeaders headers) {
        return headers.firstValue("retry-after").flatMap(value -> RetryAfter.parse(value, clock.instant()));
    }

    private static URI toUri(SourceUrl url) throws SourceException {
        try {
            URI uri = new URI(url.value());
            if (uri.getHost() == null) {
                throw SourceException.permanent(url.redacted() + ": URL has no host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw SourceException.permanent(url.redacted() + ": not a valid URL (" + e.getReason() + ")");
        }
    }

    private static String redacted(SourceUrl url) {
        return url.redacted();
    }

    private static String redacted(URI uri) {
        return new SourceUrl(uri.toString()).redacted();
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // the exchange is being abandoned anyway
        }
    }
}
