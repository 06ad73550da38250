package dev.skyloader.adapters.fs;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.skyloader.application.port.out.BootId;
import dev.skyloader.application.port.out.Cipher;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.FileStore;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.Sleeper;
import dev.skyloader.application.port.out.StateStore;
import java.time.Clock;
import java.time.Duration;
import static java.util.Objects.requireNonNull;

/**
 * Binds the state store, the download locks, the kick-aware sleeper, the file store, the boot id, SHA-256 and the
 * streaming AES cipher.
 */
public final class FsModule extends AbstractModule {
    private final FsSettings settings;

    public FsModule(FsSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    protected void configure() {
        bind(FsSettings.class).toInstance(settings);
        bind(FileStore.class).to(LocalFileStore.class).in(Singleton.class);
        bind(Cipher.class).to(StreamingAesCipher.class).in(Singleton.class);
    }

    @Provides
    @Singleton
    StateStore stateStore(FsSettings fsSettings, Clock clock) {
        return new JsonStateStore(fsSettings.stateDirectory(), clock);
    }

    @Provides
    @Singleton
    Locks locks(FsSettings fsSettings) {
        return new FileLocks(fsSettings.stateDirectory());
    }

    @Provides
    @Singleton
    Sleeper sleeper(FsSettings fsSettings) {
        return new KickFileSleeper(fsSettings.stateDirectory(), Duration.ofSeconds(1));
    }

    @Provides
    @Singleton
    BootId bootId() {
        return new ProcBootId(ProcBootId.LINUX);
    }

    @Provides
    @Singleton
    Digest sha256() {
        return new JcaDigest("SHA-256");
    }
}
