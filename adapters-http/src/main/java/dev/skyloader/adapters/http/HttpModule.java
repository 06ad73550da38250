package dev.skyloader.adapters.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.skyloader.application.port.out.ArtifactSource;
import java.net.http.HttpClient;
import static java.util.Objects.requireNonNull;

/**
 * Contributes the {@code https} and {@code http} entries of the {@code ArtifactSource} map, keyed by URL scheme. Needs
 * a {@link java.time.Clock} bound elsewhere (the application's), to read {@code Retry-After} dates on.
 */
public final class HttpModule extends AbstractModule {
    private final HttpSettings settings;

    public HttpModule(HttpSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    protected void configure() {
        bind(HttpSettings.class).toInstance(settings);
        MapBinder<String, ArtifactSource> sources = MapBinder.newMapBinder(binder(), String.class, ArtifactSource.class);
        sources.addBinding("https").to(HttpArtifactSource.class);
        sources.addBinding("http").to(HttpArtifactSource.class);
        bind(HttpArtifactSource.class).in(Singleton.class);
    }

    /** One client for the process; the caller closes it on shutdown (it is {@link AutoCloseable}). */
    @Provides
    @Singleton
    HttpClient httpClient(HttpSettings httpSettings) {
        return HttpClients.create(httpSettings);
    }
}
