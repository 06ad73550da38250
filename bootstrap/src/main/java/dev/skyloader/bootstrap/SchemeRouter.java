package dev.skyloader.bootstrap;

import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Sends each URL to the source registered for its scheme ({@code https}, {@code http}, {@code s3}). */
final class SchemeRouter implements ArtifactSource {
    private final Map<String, ArtifactSource> sources;

    SchemeRouter(Map<String, ArtifactSource> sources) {
        this.sources = Map.copyOf(sources);
    }

    Set<String> schemes() {
        return new TreeSet<>(sources.keySet());
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
        ArtifactSource source = sources.get(url.scheme());
        if (source == null) {
            throw SourceException.permanent(url.redacted() + ": unsupported URL scheme '" + url.scheme()
                    + "' (supported: " + String.join(", ", schemes()) + ")");
        }
        return source.open(url, offset, validator);
    }
}
