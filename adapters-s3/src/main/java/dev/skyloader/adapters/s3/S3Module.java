package dev.skyloader.adapters.s3;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.skyloader.application.port.out.ArtifactSource;
import software.amazon.awssdk.services.s3.S3Client;
import static java.util.Objects.requireNonNull;

/**
 * Contributes the {@code s3} entry of the {@code ArtifactSource} map, keyed by URL scheme. Needs a
 * {@link java.time.Clock} bound elsewhere (the application's), to read {@code Retry-After} dates on.
 */
public final class S3Module extends AbstractModule {
    private final S3Settings settings;

    public S3Module(S3Settings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    protected void configure() {
        bind(S3Settings.class).toInstance(settings);
        MapBinder.newMapBinder(binder(), String.class, ArtifactSource.class).addBinding("s3").to(S3ArtifactSource.class);
        bind(S3ArtifactSource.class).in(Singleton.class);
    }

    /**
     * One client for the process, built when the first {@code s3://} download needs it; the caller closes it on
     * shutdown (it is {@link AutoCloseable}).
     */
    @Provides
    @Singleton
    S3Client s3Client(S3Settings s3Settings) {
        return S3Clients.create(s3Settings);
    }
}
