package dev.skyloader.adapters.s3;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.skyloader.application.port.out.ArtifactSource;
import static java.util.Objects.requireNonNull;

/**
 * Will contribute the {@code s3} entry of the {@code ArtifactSource} map. Until the S3 source lands it declares the
 * map only, so that {@code s3://} URLs are reported as unsupported rather than failing the wiring.
 */
public final class S3Module extends AbstractModule {
    private final S3Settings settings;

    public S3Module(S3Settings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    protected void configure() {
        bind(S3Settings.class).toInstance(settings);
        MapBinder.newMapBinder(binder(), String.class, ArtifactSource.class);
    }
}
