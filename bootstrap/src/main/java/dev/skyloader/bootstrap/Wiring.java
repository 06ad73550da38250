package dev.skyloader.bootstrap;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import dev.skyloader.adapters.fs.FsModule;
import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpModule;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.s3.S3Module;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.service.TransferSettings;
import java.net.http.HttpClient;

/** One injector per command: every adapter module, each with its settings, plus the application module. */
final class Wiring implements AutoCloseable {
    private final Injector injector;

    Wiring(FsSettings fs, HttpSettings http, S3Settings s3, TransferSettings transfer) {
        this.injector = Guice.createInjector(Stage.PRODUCTION, new FsModule(fs), new HttpModule(http),
                new S3Module(s3), new ApplicationModule(transfer));
    }

    <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    /** Closes the clients that hold connections and threads. */
    @Override
    public void close() {
        if (injector.getExistingBinding(Key.get(HttpClient.class)) != null) {
            injector.getInstance(HttpClient.class).shutdownNow();
        }
    }
}
