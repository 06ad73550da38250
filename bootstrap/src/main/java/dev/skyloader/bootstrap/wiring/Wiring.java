package dev.skyloader.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.matcher.Matchers;
import com.google.inject.spi.ProvisionListener;
import com.google.inject.util.Modules;
import dev.skyloader.adapters.fs.FsModule;
import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpModule;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.s3.S3Module;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.service.TransferSettings;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One injector per command: every adapter module, each with its settings, plus the application module. Singletons
 * are built on first use, and every {@link AutoCloseable} singleton that was built (the HTTP and S3 clients) is
 * closed by {@link #close()}.
 */
public final class Wiring implements AutoCloseable {
    private final Injector injector;
    private final List<Object> toClose = Collections.synchronizedList(new ArrayList<>());

    public Wiring(FsSettings fs, HttpSettings http, S3Settings s3, TransferSettings transfer) {
        this(fs, http, s3, transfer, new AbstractModule() {
        });
    }

    /** With some bindings replaced: tests put a fake clock and sleeper under the real adapters. */
    public Wiring(FsSettings fs, HttpSettings http, S3Settings s3, TransferSettings transfer, Module overrides) {
        this.injector = Guice.createInjector(Modules.override(new FsModule(fs), new HttpModule(http), new S3Module(s3),
                new ApplicationModule(transfer)).with(overrides), new AbstractModule() {
                    @Override
                    protected void configure() {
                        bindListener(Matchers.any(), new ProvisionListener() {
                            @Override
                            public <T> void onProvision(ProvisionInvocation<T> provision) {
                                T instance = provision.provision();
                                if (instance instanceof AutoCloseable
                                        && Scopes.isSingleton(provision.getBinding())) {
                                    toClose.add(instance);
                                }
                            }
                        });
                    }
                });
    }

    /** For the commands that only read or signal the state directory (status, kick): default adapter settings. */
    public static Wiring forStateDirectory(java.nio.file.Path stateDirectory) {
        return new Wiring(new FsSettings(stateDirectory), HttpSettings.DEFAULT, S3Settings.DEFAULT,
                TransferSettings.DEFAULT);
    }

    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    @Override
    public void close() {
        List<Object> built;
        synchronized (toClose) {
            built = new ArrayList<>(toClose);
        }
        Collections.reverse(built);
        for (Object closeable : built) {
            try {
                if (closeable instanceof HttpClient client) {
                    // close() would wait for abandoned exchanges; nothing is left worth waiting for.
                    client.shutdownNow();
                } else {
                    ((AutoCloseable) closeable).close();
                }
            } catch (Exception ignored) {
                // shutting down: nothing more to do with it
            }
        }
    }
}
