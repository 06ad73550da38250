package dev.skyloader.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.skyloader.application.port.in.DownloadArtifact;
import dev.skyloader.application.port.in.EncryptArtifact;
import dev.skyloader.application.port.in.ListDownloads;
import dev.skyloader.application.port.in.WakeDownloads;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.BootId;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.HostHealth;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.application.port.out.Throttle;
import dev.skyloader.application.service.DownloadService;
import dev.skyloader.application.service.SyncService;
import dev.skyloader.application.port.in.SyncArtifacts;
import dev.skyloader.application.service.EncryptService;
import dev.skyloader.application.service.StatusService;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.application.service.WakeService;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;
import static java.util.Objects.requireNonNull;

/** Builds the application services from the ports the adapter modules bind. Application code has no Guice in it. */
final class ApplicationModule extends AbstractModule {
    private final TransferSettings transferSettings;

    ApplicationModule(TransferSettings transferSettings) {
        this.transferSettings = requireNonNull(transferSettings, "transferSettings is null");
    }

    @Override
    protected void configure() {
        bind(TransferSettings.class).toInstance(transferSettings);
        bind(Clock.class).toInstance(Clock.systemUTC());
    }

    @Provides
    @Singleton
    SchemeRouter schemeRouter(Map<String, Provider<ArtifactSource>> sourcesByScheme) {
        return new SchemeRouter(sourcesByScheme);
    }

    @Provides
    ArtifactSource artifactSource(SchemeRouter router) {
        return router;
    }

    @Provides
    @Singleton
    HostHealth hostHealth(Clock clock) {
        return new CircuitBreakerHostHealth(clock, 3, Duration.ofMinutes(5));
    }

    @Provides
    @Singleton
    DownloadArtifact downloadArtifact(ArtifactSource source, StateStore store, Locks locks, FileStore files,
                                      HostHealth hosts, Digest digest, Cipher cipher, Clock clock, Sleeper sleeper,
                                      BootId bootId, Throttle throttle, TransferSettings settings) {
        return new DownloadService(source, store, locks, files, hosts, digest, cipher, clock, sleeper,
                RandomGenerator.getDefault(), bootId, throttle, settings);
    }

    @Provides
    @Singleton
    SyncArtifacts syncArtifacts(DownloadArtifact downloads, StateStore store, FileStore files,
                                TransferSettings settings) {
        return new SyncService(downloads, store, files, settings.freeSpaceMargin());
    }

    /** One budget for the whole run: every connection of every download spends from the same bucket. */
    @Provides
    @Singleton
    Throttle throttle(TransferSettings settings, Clock clock, Sleeper sleeper) {
        return BucketThrottle.of(settings.limitRate(), clock, sleeper);
    }

    @Provides
    @Singleton
    EncryptArtifact encryptArtifact(FileStore files, Cipher cipher, Digest digest) {
        return new EncryptService(files, cipher, digest);
    }

    @Provides
    @Singleton
    WakeDownloads wakeDownloads(StateStore store, Sleeper sleeper, Locks locks) {
        return new WakeService(store, sleeper, locks);
    }

    @Provides
    @Singleton
    ListDownloads listDownloads(StateStore store, Locks locks, FileStore files) {
        return new StatusService(store, locks, files);
    }
}
