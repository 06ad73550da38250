package dev.skyloader.domain;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import static java.util.Objects.requireNonNull;

/**
 * Where an artifact is fetched from: {@code https://…}, {@code http://…} or {@code s3://bucket/key}.
 *
 * <p>A presigned URL carries its signature in the query string, and a URL may carry credentials before the host:
 * both are secrets. {@link #toString()} and {@link #redacted()} drop them; only {@link #value()} has the whole URL,
 * for the adapter that fetches it.
 */
public record SourceUrl(String value) {
    private static final Pattern SHAPE = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(.*)$");

    public SourceUrl {
        requireNonNull(value, "value is null");
        value = value.trim();
        Matcher matcher = SHAPE.matcher(value);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a URL: '" + redact(value) + "'");
        }
        String authority = matcher.group(2);
        if (authority.substring(authority.lastIndexOf('@') + 1).isEmpty()) {
            throw new IllegalArgumentException("URL has no host: '" + redact(value) + "'");
        }
    }

    public String scheme() {
        Matcher matcher = SHAPE.matcher(value);
        matcher.matches();
        return matcher.group(1).toLowerCase(Locale.ROOT);
    }

    /** Scheme and host (with port), without user info: {@code https://cdn.example:8443}, {@code s3://bucket}. */
    public String origin() {
        Matcher matcher = SHAPE.matcher(value);
        matcher.matches();
        String authority = matcher.group(2);
        int at = authority.lastIndexOf('@');
        return scheme() + "://" + (at < 0 ? authority : authority.substring(at + 1)).toLowerCase(Locale.ROOT);
    }

    /**
     * The object beside this one whose name has {@code suffix} added ({@code .zsync}), without this URL's query or
     * fragment: a query such as a presigned signature belongs to this object, not to the other.
     */
    public SourceUrl beside(String suffix) {
        Matcher matcher = SHAPE.matcher(value);
        matcher.matches();
        return new SourceUrl(matcher.group(1) + "://" + matcher.group(2) + matcher.group(3) + suffix);
    }

    /** The URL without user info, query string or fragment: safe for logs and state files. */
    public String redacted() {
        return redact(value);
    }

    private static String redact(String url) {
        Matcher matcher = SHAPE.matcher(url);
        if (!matcher.matches()) {
            int cut = indexOfAny(url, '?', '#');
            return cut < 0 ? url : url.substring(0, cut);
        }
        String authority = matcher.group(2);
        int at = authority.lastIndexOf('@');
        String host = at < 0 ? authority : authority.substring(at + 1);
        return matcher.group(1) + "://" + host + matcher.group(3);
    }

    private static int indexOfAny(String text, char a, char b) {
        int ia = text.indexOf(a);
        int ib = text.indexOf(b);
        if (ia < 0) {
            return ib;
        }
        return ib < 0 ? ia : Math.min(ia, ib);
    }

    @Override
    public String toString() {
        return redacted();
    }
}
