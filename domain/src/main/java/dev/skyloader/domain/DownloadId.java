package dev.skyloader.domain;

import java.util.regex.Pattern;
import static java.util.Objects.requireNonNull;

/**
 * Names one download in the state directory. It is made of characters safe in a file name, so that a state
 * document named after it can never leave that directory.
 */
public record DownloadId(String value) {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public DownloadId {
        requireNonNull(value, "value is null");
        if (!SAFE.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException("download id must be 1-128 characters of [A-Za-z0-9._-]: '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
