package dev.skyloader.adapters.s3;

import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** {@code s3://bucket/key}: the key is everything after the bucket's slash, percent-decoded. */
record S3Location(String bucket, String key) {
    static S3Location of(SourceUrl url) throws SourceException {
        String value = url.value();
        if (!value.regionMatches(true, 0, "s3://", 0, 5)) {
            throw SourceException.permanent(url.redacted() + ": not an s3:// URL");
        }
        String rest = value.substring(5);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw SourceException.permanent(url.redacted() + ": an S3 URL is s3://bucket/key");
        }
        String bucket = rest.substring(0, slash);
        String key = rest.substring(slash + 1);
        if (key.indexOf('%') >= 0) {
            key = URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        return new S3Location(bucket, key);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
