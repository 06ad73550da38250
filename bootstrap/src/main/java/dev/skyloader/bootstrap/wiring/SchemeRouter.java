package dev.skyloader.bootstrap.wiring;

import com.google.inject.Provider;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sends each URL to the source registered for its scheme ({@code https}, {@code http}, {@code s3}). Sources are
 * built on first use, so an HTTPS download never builds an S3 client.
 */
public final class SchemeRouter implements ArtifactSource {
    private final Map<String, Provider<ArtifactSource>> sources;

    SchemeRouter(Map<String, Provider<ArtifactSource>> sources) {
        this.sources = Map.copyOf(sources);
    }

    /** The URL schemes a source is registered for, in order. */
    public Set<String> schemes() {
        return new TreeSet<>(sources.keySet());
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, Optional<String> validator) throws SourceException {
        return route(url).open(url, offset, validator);
    }

    @Override
    public RemoteBody open(SourceUrl url, long offset, long end, Optional<String> validator) throws SourceException {
        return route(url).open(url, offset, end, validator);
    }

    private ArtifactSource route(SourceUrl url) throws SourceException {
        Provider<ArtifactSource> source = sources.get(url.scheme());
        if (source == null) {
            throw SourceException.permanent(url.redacted() + ": unsupported URL scheme '" + url.scheme()
                    + "' (supported: " + String.join(", ", schemes()) + ")");
        }
        return source.get();
    }

    @Override
    public boolean probe(SourceUrl url) {
        Provider<ArtifactSource> source = sources.get(url.scheme());
        return source != null && source.get().probe(url);
    }
}
