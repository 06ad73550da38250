package dev.skyloader.adapters.http;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A TLS context made on its first use, not before. The JDK's client asks for its context when it is built, even when
 * it will only ever speak plain HTTP; the system's default context then loads the trust store and sets up TLS, about
 * 0.15 s of processor time at every start (measured on 2 cores). Given to the client with explicit (empty)
 * {@link SSLParameters}, so that building it asks nothing of the context: each TLS connection's engine then takes the
 * real context's defaults, as it would from the real context itself.
 */
final class LazySslContext extends SSLContext {
    LazySslContext(Supplier<SSLContext> real) {
        super(new Spi(real), null, "TLS");
    }

    /**
     * The real context could not be made (a trust store that cannot be read, say): no retry mends that. Thrown where
     * the client makes a TLS connection, which reports it wrapped in an {@code IOException}.
     */
    static final class Unavailable extends RuntimeException {
        Unavailable(RuntimeException cause) {
            super("TLS could not be set up (" + cause.getMessage() + ")", cause);
        }
    }

    /** The {@link Unavailable} in {@code failure}'s causes, or null. */
    static Unavailable unavailableIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Unavailable unavailable) {
                return unavailable;
            }
        }
        return null;
    }

    private static final class Spi extends SSLContextSpi {
        private final Supplier<SSLContext> make;
        private volatile SSLContext real;

        Spi(Supplier<SSLContext> make) {
            this.make = make;
        }

        private SSLContext real() {
            SSLContext context = real;
            if (context == null) {
                synchronized (this) {
                    context = real;
                    if (context == null) {
                        try {
                            context = make.get();
                        } catch (RuntimeException e) {
                            throw new Unavailable(e);
                        }
                        real = context;
                    }
                }
            }
            return context;
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("made by its supplier, not initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return real().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return real().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return real().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return real().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return real().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return real().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return real().getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return real().getSupportedSSLParameters();
        }
    }
}
