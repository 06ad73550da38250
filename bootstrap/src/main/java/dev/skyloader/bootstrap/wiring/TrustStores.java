package dev.skyloader.bootstrap.wiring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * {@code --ca-cert PEM}: read once, and turned once into the trust manager the HTTP and the S3 source both use. Here
 * and not in an adapter: the two adapter modules may not depend on each other, and this is no domain code.
 * Unusable input is an IllegalArgumentException; the command line names its option.
 */
public final class TrustStores {
    private TrustStores() {
    }

    /** A trust manager that trusts the certificates of {@code pem}, and no others. */
    public static X509TrustManager fromPem(Path pem) {
        KeyStore store = keyStore(pem);
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalArgumentException("unusable CA certificates in " + pem + " (no X.509 trust manager)");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable CA certificates in " + pem + " (" + firstLine(e.getMessage())
                    + ")");
        }
    }

    /** A TLS context that trusts what {@code trustManager} trusts: the JDK client takes a context, not a manager. */
    public static SSLContext sslContext(X509TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    private static KeyStore keyStore(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + pem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + pem + " (" + firstLine(e.getMessage()) + ")",
                    e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }
}
